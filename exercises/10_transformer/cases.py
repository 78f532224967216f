"""Tiny GPTs with random parameters for the transformer checks (instructor side).

Weights are drawn larger than a trained model's initialisation (std about 1/sqrt(fan_in)
instead of 0.02) and LayerNorm gains and biases are not 1 and 0, so that every part of the
block changes the output visibly.
"""

from __future__ import annotations

import numpy as np

from grader.spec import Call


def block_params(rng: np.random.Generator, d: int, d_ff: int) -> dict[str, np.ndarray]:
    """One block's parameters, keys ln1_g ln1_b Wq Wk Wv Wo ln2_g ln2_b W1 b1 W2 b2."""

    def w(n_in: int, n_out: int) -> np.ndarray:
        return rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)

    return {
        "ln1_g": 1.0 + 0.3 * rng.normal(size=d),
        "ln1_b": 0.3 * rng.normal(size=d),
        "Wq": 2.0 * w(d, d),
        "Wk": 2.0 * w(d, d),
        "Wv": w(d, d),
        "Wo": w(d, d),
        "ln2_g": 1.0 + 0.3 * rng.normal(size=d),
        "ln2_b": 0.3 * rng.normal(size=d),
        "W1": w(d, d_ff),
        "b1": 0.3 * rng.normal(size=d_ff),
        "W2": w(d_ff, d),
        "b2": 0.3 * rng.normal(size=d),
    }


def gpt_params(rng: np.random.Generator, V: int, d: int, n_layers: int, context: int) -> dict:
    """{"W_tok", "W_pos", "blocks", "lnf_g", "lnf_b"} with d_ff = 4 d."""
    return {
        "W_tok": rng.normal(size=(V, d)),
        "W_pos": 0.5 * rng.normal(size=(context, d)),
        "blocks": [block_params(rng, d, 4 * d) for _ in range(n_layers)],
        "lnf_g": 1.0 + 0.3 * rng.normal(size=d),
        "lnf_b": 0.3 * rng.normal(size=d),
    }


def embed_random(rng: np.random.Generator) -> dict:
    """tokens (2, 5) from a vocabulary of 11, d = 4, 8 positions available."""
    return {
        "tokens": rng.integers(0, 11, size=(2, 5)),
        "W_tok": rng.normal(size=(11, 4)),
        "W_pos": rng.normal(size=(8, 4)),
    }


def embed_full_context(rng: np.random.Generator) -> dict:
    """tokens (3, 6) using every one of the 6 positions, repeated token ids."""
    return {
        "tokens": rng.integers(0, 3, size=(3, 6)),
        "W_tok": rng.normal(size=(3, 5)),
        "W_pos": rng.normal(size=(6, 5)),
    }


def block_small(rng: np.random.Generator) -> dict:
    """x (1, 4, 8), 2 heads, d_ff = 32."""
    return {"x": rng.normal(size=(1, 4, 8)), "p": block_params(rng, 8, 32), "n_heads": 2}


def block_batch(rng: np.random.Generator) -> dict:
    """x (2, 6, 12), 3 heads, d_ff = 48."""
    return {"x": 2.0 * rng.normal(size=(2, 6, 12)), "p": block_params(rng, 12, 48), "n_heads": 3}


def block_future_changed(rng: np.random.Generator) -> list[Call]:
    """One block on two inputs that agree on the first 2 of 5 positions."""
    kwargs = {"x": rng.normal(size=(2, 5, 8)), "p": block_params(rng, 8, 32), "n_heads": 2}
    x2 = kwargs["x"].copy()
    x2[:, 2:] = 3.0 * rng.normal(size=(2, 3, 8))
    return [Call("transformer_block", kwargs), Call("transformer_block", {**kwargs, "x": x2})]


def gpt_small(rng: np.random.Generator) -> dict:
    """V = 13, d = 8, one block, 2 heads, tokens (2, 5), context 6."""
    return {
        "tokens": rng.integers(0, 13, size=(2, 5)),
        "params": gpt_params(rng, 13, 8, 1, 6),
        "n_heads": 2,
    }


def gpt_random_config(rng: np.random.Generator) -> dict:
    """A random tiny configuration: V 5-20, 1-4 heads of width 2-4, 1-3 blocks, T <= context."""
    V = int(rng.integers(5, 21))
    n_heads = int(rng.choice([1, 2, 4]))
    d = n_heads * int(rng.integers(2, 5))
    context = int(rng.integers(3, 9))
    T = int(rng.integers(2, context + 1))
    return {
        "tokens": rng.integers(0, V, size=(int(rng.integers(1, 4)), T)),
        "params": gpt_params(rng, V, d, int(rng.integers(1, 4)), context),
        "n_heads": n_heads,
    }


def gpt_one_token(rng: np.random.Generator) -> dict:
    """A batch of 3 single-token sequences, 2 blocks."""
    return {
        "tokens": rng.integers(0, 7, size=(3, 1)),
        "params": gpt_params(rng, 7, 6, 2, 4),
        "n_heads": 3,
    }


def gpt_future_changed(rng: np.random.Generator) -> list[Call]:
    """The same GPT on two token batches that agree on the first 3 of 7 positions."""
    kwargs = {
        "tokens": rng.integers(0, 10, size=(2, 7)),
        "params": gpt_params(rng, 10, 8, 2, 8),
        "n_heads": 2,
    }
    tokens2 = kwargs["tokens"].copy()
    tokens2[:, 3:] = (tokens2[:, 3:] + rng.integers(1, 10, size=(2, 4))) % 10
    return [Call("gpt_forward", kwargs), Call("gpt_forward", {**kwargs, "tokens": tokens2})]


def _past_unchanged(outputs: list, expected: list, upto: int, what: str) -> str | None:
    a, b = (np.asarray(o, dtype=np.float64) for o in outputs)
    if a.shape != expected[0].shape or b.shape != expected[1].shape:
        return f"output shape {a.shape}, expected {expected[0].shape}"
    if not np.allclose(a[:, :upto], b[:, :upto], rtol=1e-9, atol=1e-12):
        return f"changing {what} after position {upto - 1} changed the outputs before it"
    if not (np.allclose(a, expected[0]) and np.allclose(b, expected[1])):
        return "the past ignores the future, but the outputs differ from the expected values"
    return None


def block_past_ignores_future(calls: list[Call], outputs: list, expected: list) -> str | None:
    """The block's outputs at positions 0-1 do not depend on positions 2-4."""
    return _past_unchanged(outputs, expected, 2, "the input vectors")


def gpt_past_ignores_future(calls: list[Call], outputs: list, expected: list) -> str | None:
    """The logits at positions 0-2 do not depend on the tokens at positions 3-6."""
    return _past_unchanged(outputs, expected, 3, "the tokens")
