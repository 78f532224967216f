"""Tiny GPTs, token batches and optimiser states for the training checks (instructor side).

The training data is a "next token is a fixed cyclic permutation of this one" language with 10%
noise: a one-block GPT learns it in a few dozen AdamW steps, so a loss curve visibly falls.
The configuration (V = 12, d = 16, 2 heads, 1 block, T = 8, B = 8, 40 steps, lr = 0.01) is
the one the README's loss table shows; all checks of this exercise run in a few seconds.
"""

from __future__ import annotations

import numpy as np

import reference
from grader.spec import Call

V, D, HEADS, T, B = 12, 16, 2, 8, 8
STEPS, LR = 40, 0.01
BAR = 1.2  # the mean of the last 5 losses must fall below this (ln 12 = 2.48 at the start)


def params(rng: np.random.Generator, n_layers: int = 1, vocab: int = V, d: int = D) -> dict:
    """GPT-2-style initial parameters (std 0.02) from the reference's initialiser."""
    seed = int(rng.integers(2**31))
    return reference.init_params(
        vocab_size=vocab,
        d_model=d,
        n_layers=n_layers,
        n_heads=HEADS,
        d_ff=4 * d,
        context=T,
        seed=seed,
    )


def sequences(rng: np.random.Generator, n: int, length: int, vocab: int = V) -> np.ndarray:
    """n token sequences where each next token is perm[previous] 90% of the time.

    perm is one cycle through all the tokens (no token follows itself), so a greedy
    continuation walks the whole vocabulary instead of getting stuck.
    """
    order = rng.permutation(vocab)
    perm = np.empty(vocab, dtype=np.int64)
    perm[order] = np.roll(order, -1)
    out = np.empty((n, length), dtype=np.int64)
    out[:, 0] = rng.integers(0, vocab, n)
    for t in range(1, length):
        noise = rng.random(n) < 0.1
        out[:, t] = np.where(noise, rng.integers(0, vocab, n), perm[out[:, t - 1]])
    return out


def batches(rng: np.random.Generator, steps: int) -> np.ndarray:
    """(steps, B, T + 1) windows: inputs [..., :-1], targets [..., 1:]."""
    return sequences(rng, steps * B, T + 1).reshape(steps, B, T + 1)


def loss_one_block(rng: np.random.Generator) -> dict:
    """gpt_loss_and_grads with 1 block, tokens (3, 8)."""
    window = sequences(rng, 3, T + 1)
    return {
        "tokens": window[:, :-1],
        "targets": window[:, 1:],
        "params": params(rng),
        "n_heads": HEADS,
    }


def loss_two_blocks_short(rng: np.random.Generator) -> dict:
    """gpt_loss_and_grads with 2 blocks, tokens (2, 5) (W_pos rows 5-7 unused)."""
    window = sequences(rng, 2, 6)
    return {
        "tokens": window[:, :-1],
        "targets": window[:, 1:],
        "params": params(rng, n_layers=2),
        "n_heads": HEADS,
    }


def loss_repeated_tokens(rng: np.random.Generator) -> dict:
    """Tokens drawn from only 3 ids, each used many times in the batch."""
    tokens = rng.integers(0, 3, size=(4, T))
    return {
        "tokens": tokens,
        "targets": rng.integers(0, V, size=(4, T)),
        "params": params(rng),
        "n_heads": HEADS,
    }


def _state(rng: np.random.Generator, shape: tuple[int, ...]) -> dict:
    return {"p": rng.normal(size=shape), "g": 0.1 * rng.normal(size=shape)}


def adamw_third_step(rng: np.random.Generator) -> dict:
    """adamw_update at t = 3 with moments from two earlier steps."""
    s = _state(rng, (3, 4))
    return {
        **s,
        "m": 0.02 * rng.normal(size=(3, 4)),
        "v": 1e-4 * rng.random(size=(3, 4)),
        "t": 3,
        "lr": 0.01,
    }


def adamw_chain(rng: np.random.Generator) -> list[Call]:
    """Steps t = 1 ... 6 of one parameter, each from the reference's state of the step before,
    then t = 1000 (bias correction nearly gone)."""
    p, m, v = rng.normal(size=(4, 3)), np.zeros((4, 3)), np.zeros((4, 3))
    calls = []
    for t in range(1, 7):
        g = 0.1 * rng.normal(size=(4, 3))
        kwargs = {"p": p, "g": g, "m": m, "v": v, "t": t, "lr": 0.05, "weight_decay": 0.05}
        calls.append(Call("adamw_update", kwargs))
        p, m, v = reference.adamw_update(**kwargs)
    calls.append(Call("adamw_update", {**calls[-1].kwargs, "t": 1000}))
    return calls


def adamw_strong_decay(rng: np.random.Generator) -> dict:
    """weight_decay = 0.1 on large parameters with small gradients: decoupled decay shows."""
    return {
        "p": 5.0 * rng.normal(size=(6,)),
        "g": 0.01 * rng.normal(size=(6,)),
        "m": 0.001 * rng.normal(size=(6,)),
        "v": 1e-5 * rng.random(size=(6,)),
        "t": 4,
        "lr": 0.1,
        "weight_decay": 0.1,
    }


def train_short(rng: np.random.Generator) -> dict:
    """5 AdamW steps of the tiny config; compares the final params and the 5 losses."""
    return {"params": params(rng), "batches": batches(rng, 5), "n_heads": HEADS, "lr": LR}


def train_two_blocks(rng: np.random.Generator) -> dict:
    """8 steps of a 2-block GPT with weight_decay = 0.1."""
    return {
        "params": params(rng, n_layers=2),
        "batches": batches(rng, 8),
        "n_heads": HEADS,
        "lr": LR,
        "weight_decay": 0.1,
    }


def train_full(rng: np.random.Generator) -> dict:
    """The README's run: 40 steps of the tiny config."""
    return {"params": params(rng), "batches": batches(rng, STEPS), "n_heads": HEADS, "lr": LR}


def loss_curve_matches(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Every loss within 1e-6 (relative) of the reference's, and the run ends below the bar."""
    got = outputs[0]
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        return "train should return (params, losses)"
    losses = np.asarray(got[1], dtype=np.float64).ravel()
    want = np.asarray(expected[0][1], dtype=np.float64)
    if losses.shape != want.shape:
        return f"train returned {losses.size} losses for {want.size} batches"
    off = np.flatnonzero(~np.isclose(losses, want, rtol=1e-6, atol=0.0))
    if off.size:
        i = int(off[0])
        return (
            f"the loss curve leaves the expected one at step {i}: {losses[i]:.6f} "
            f"instead of {want[i]:.6f}"
        )
    final = float(losses[-5:].mean())
    if final >= BAR:
        return f"the mean of the last 5 losses is {final:.3f}, not below {BAR}"
    return None


def trained_params(rng: np.random.Generator) -> dict:
    """Parameters after 40 reference steps, so that generation has something to say."""
    trained, _ = reference.train(params(rng), batches(rng, STEPS), HEADS, LR)
    return trained


def generate_greedy(rng: np.random.Generator) -> dict:
    """Greedy continuation of a 3-token prompt by 6 tokens, trained model."""
    return {
        "params": trained_params(rng),
        "prompt": rng.integers(0, V, 3),
        "n_new": 6,
        "n_heads": HEADS,
    }


def generate_greedy_long(rng: np.random.Generator) -> dict:
    """Greedy, untrained model, a prompt of 6 tokens and 10 new ones: the window slides past
    the context of 8."""
    return {"params": params(rng), "prompt": rng.integers(0, V, 6), "n_new": 10, "n_heads": HEADS}


def generate_sampled(rng: np.random.Generator) -> dict:
    """temperature 0.8, trained model, 12 new tokens from a 2-token prompt."""
    return {
        "params": trained_params(rng),
        "prompt": rng.integers(0, V, 2),
        "n_new": 12,
        "n_heads": HEADS,
        "temperature": 0.8,
        "seed": int(rng.integers(1000)),
    }


def _seed_with_small_first_draw(rng: np.random.Generator) -> int:
    """A seed whose first rng.random() is below 0.1: a generator re-created at every step
    then keeps picking a low index, which the mode of the distribution rarely is."""
    while True:
        seed = int(rng.integers(1000))
        if np.random.default_rng(seed).random() < 0.1:
            return seed


def generate_hot(rng: np.random.Generator) -> dict:
    """temperature 3.0 on a trained model (a flat distribution), 15 new tokens past the
    context."""
    return {
        "params": trained_params(rng),
        "prompt": rng.integers(0, V, 5),
        "n_new": 15,
        "n_heads": HEADS,
        "temperature": 3.0,
        "seed": _seed_with_small_first_draw(rng),
    }


def generate_negative_temperature(rng: np.random.Generator) -> dict:
    """temperature = -1: not a temperature."""
    return {**generate_greedy_long(rng), "temperature": -1.0}
