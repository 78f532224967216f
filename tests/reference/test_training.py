"""Training learns the tiny corpus, deterministically; AdamW and generate follow the contract."""

import numpy as np
import pytest

import reference as R
from reference import corpus

CONFIG, SCHEDULE = corpus.TINY_CONFIG, corpus.TINY_TRAINING


@pytest.fixture(scope="module")
def trained():
    """The tiny GPT after 200 steps on the corpus (trained once for the whole module)."""
    ids = corpus.corpus_ids()
    batches = corpus.make_batches(
        ids, SCHEDULE["steps"], SCHEDULE["batch_size"], CONFIG["context"], seed=1
    )
    params = R.init_params(seed=0, **CONFIG)
    trained_params, losses = R.train(params, batches, CONFIG["n_heads"], SCHEDULE["lr"])
    return ids, trained_params, losses


def test_loss_after_200_steps_is_well_below_the_unigram_entropy(trained):
    ids, _, losses = trained
    entropy = corpus.unigram_entropy(ids)  # ≈ 2.8 nats: the best loss that ignores context
    assert len(losses) == 200 and all(type(x) is float for x in losses)
    assert losses[0] == pytest.approx(np.log(256), abs=0.1)  # uniform over 256 bytes at init
    assert np.mean(losses[-20:]) < 0.3 * entropy  # about 0.5 nats


def test_generated_text_looks_like_the_corpus(trained):
    ids, params, _ = trained
    prompt = corpus.to_byte_ids("the ")
    out = R.generate(params, prompt, 150, CONFIG["n_heads"])
    assert out.dtype == np.int64 and out.shape == (len(prompt) + 150,)
    np.testing.assert_array_equal(out[: len(prompt)], prompt)
    alphabet = set(np.unique(ids).tolist())
    assert np.mean([b in alphabet for b in out]) > 0.95
    words = corpus.from_byte_ids(out).replace(".", " ").split()
    assert np.mean([w in corpus.corpus_words() for w in words]) > 0.5, words


def test_training_is_deterministic():
    batches = corpus.make_batches(corpus.corpus_ids(50), 3, 2, 8, seed=5)
    runs = [
        R.train(R.init_params(256, 8, 1, 2, 16, 8, seed=7), batches, 2, 0.01)[1] for _ in range(2)
    ]
    assert runs[0] == runs[1]
    different = corpus.make_batches(corpus.corpus_ids(50), 3, 2, 8, seed=6)
    assert R.train(R.init_params(256, 8, 1, 2, 16, 8, seed=7), different, 2, 0.01)[1] != runs[0]


def test_losses_are_computed_before_each_update():
    params = R.init_params(256, 8, 1, 2, 16, 8, seed=2)
    batches = corpus.make_batches(corpus.corpus_ids(50), 2, 2, 8, seed=3)
    _, losses = R.train(params, batches, 2, 0.01)
    first = R.cross_entropy(R.gpt_forward(batches[0, :, :-1], params, 2), batches[0, :, 1:])
    assert losses[0] == first


def test_adamw_first_step_by_hand():
    # t = 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g², so the Adam step is lr · g/(|g| + eps)
    # after the decay p ← p (1 − lr·wd): 2 · (1 − 0.1 · 0.5) − 0.1 · 4/(4 + 1e-8)
    p, m, v = R.adamw_update(np.array([2.0]), np.array([4.0]), np.zeros(1), np.zeros(1), 1, 0.1,
                             weight_decay=0.5)  # fmt: skip
    assert p[0] == pytest.approx(2 * 0.95 - 0.1 * 4 / (4 + 1e-8), rel=1e-14)
    assert m[0] == pytest.approx(0.4, rel=1e-14) and v[0] == pytest.approx(0.016, rel=1e-14)


def test_generate_greedy_and_sampling_rules():
    params = R.init_params(256, 8, 1, 2, 16, 4, seed=11)
    prompt = np.array([116, 104, 101, 32, 99])  # longer than the context of 4
    greedy = R.generate(params, prompt, 3, 2)
    # by hand: argmax of the last position's logits over the last 4 tokens, three times
    seq = list(prompt)
    for _ in range(3):
        seq.append(int(np.argmax(R.gpt_forward(np.array([seq[-4:]]), params, 2)[0, -1])))
    np.testing.assert_array_equal(greedy, seq)

    sampled = R.generate(params, prompt, 3, 2, temperature=0.7, seed=5)
    rng, seq = np.random.default_rng(5), list(prompt)
    for _ in range(3):
        logits = R.gpt_forward(np.array([seq[-4:]]), params, 2)[0, -1] / 0.7
        probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        seq.append(int(np.searchsorted(np.cumsum(probs), rng.random(), side="right")))
    np.testing.assert_array_equal(sampled, seq)
    assert R.generate(params, prompt, 0, 2).tolist() == prompt.tolist()


def test_make_batches_shape_and_shift():
    ids = corpus.corpus_ids(20)
    batches = corpus.make_batches(ids, 3, 4, 16, seed=0)
    assert batches.shape == (3, 4, 17) and batches.dtype == np.int64
    text = corpus.from_byte_ids(batches[0, 0])
    assert text in corpus.make_corpus(20)  # a window of consecutive corpus bytes
