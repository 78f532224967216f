"""A tiny training corpus that ships with the package: templated English sentences.

Every sentence is "<subject> <verb> <object>." built from four subjects, four verbs and four
objects, drawn with a seeded generator, one sentence per line ("the dog chases a red hat.").
A model learns it quickly: first the letters that occur, then the words, then which words
follow which. The corpus is byte-tokenised (ids 0–255, vocabulary 256), so no tokenizer
needs training first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_int, require

SUBJECTS = ("the cat", "the dog", "a bird", "my friend")
VERBS = ("sees", "likes", "chases", "finds")
OBJECTS = ("the ball", "a red hat", "the moon", "some fish")

# the tiny configuration of the training exercise and of the tests: a model and a schedule
# that learn this corpus in 200 steps (loss about 0.5 nats against a unigram entropy of 2.8)
TINY_CONFIG = {"vocab_size": 256, "d_model": 32, "n_layers": 2, "n_heads": 2, "d_ff": 128,
               "context": 32}  # fmt: skip
TINY_TRAINING = {"steps": 200, "batch_size": 8, "lr": 3e-3}


def make_corpus(n_sentences: int = 2000, seed: int = 0) -> str:
    """``n_sentences`` random sentences "<subject> <verb> <object>.", one per line."""
    require(n_sentences >= 1, f"n_sentences must be >= 1, got {n_sentences}")
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n_sentences):
        subject = SUBJECTS[rng.integers(len(SUBJECTS))]
        verb = VERBS[rng.integers(len(VERBS))]
        obj = OBJECTS[rng.integers(len(OBJECTS))]
        lines.append(f"{subject} {verb} {obj}.\n")
    return "".join(lines)


def corpus_words() -> set[str]:
    """Every word the corpus can contain."""
    return {word for phrase in SUBJECTS + VERBS + OBJECTS for word in phrase.split()}


def to_byte_ids(text: str) -> np.ndarray:
    """The UTF-8 bytes of ``text`` as int64 token ids in [0, 256)."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)


def from_byte_ids(ids: ArrayLike) -> str:
    """The text of byte ids (invalid UTF-8 becomes U+FFFD)."""
    return bytes(as_int(ids, "ids").astype(np.uint8).tolist()).decode("utf-8", errors="replace")


def make_batches(
    ids: ArrayLike, steps: int, batch_size: int, context: int, seed: int
) -> np.ndarray:
    """Random windows of ``context + 1`` consecutive ids: int64 (steps, batch_size, context+1).

    Window starts are drawn from ``np.random.default_rng(seed)``; a training step uses the
    first ``context`` ids of each window as inputs and the last ``context`` as targets.
    """
    ids = as_int(ids, "ids")
    require(
        ids.ndim == 1 and ids.size > context + 1,
        f"need a 1-D id sequence longer than context + 1 = {context + 1}, got shape {ids.shape}",
    )
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, ids.size - context, size=(steps, batch_size))  # (steps, B)
    offsets = np.arange(context + 1)  # (T+1,)
    return ids[starts[..., None] + offsets]  # (steps, B, T+1)


def unigram_entropy(ids: ArrayLike) -> float:
    """H = −Σ_x p(x) ln p(x) over the id frequencies, in nats: the loss of the best model
    that ignores context, the bar a trained model must get well below."""
    counts = np.bincount(as_int(ids, "ids").reshape(-1))
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def corpus_ids(n_sentences: int = 2000, seed: int = 0) -> np.ndarray:
    """Byte ids of :func:`make_corpus` (``n_sentences``, ``seed``)."""
    return to_byte_ids(make_corpus(n_sentences, seed))


__all__ = [
    "TINY_CONFIG",
    "TINY_TRAINING",
    "corpus_ids",
    "corpus_words",
    "from_byte_ids",
    "make_batches",
    "make_corpus",
    "to_byte_ids",
    "unigram_entropy",
]
