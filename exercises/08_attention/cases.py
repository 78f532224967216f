"""Inputs and properties for the attention checks (instructor side)."""

from __future__ import annotations

import numpy as np

from grader.spec import Call


def _tril(T: int) -> np.ndarray:
    return np.tril(np.ones((T, T), dtype=bool))


def hand_worked(rng: np.random.Generator) -> dict:
    """Two queries, two keys, d_k = 2, under the causal mask: small enough to do by hand."""
    q = np.array([[0.0, 1.0], [1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0, 2.0], [3.0, 4.0]])
    return {"q": q, "k": k, "v": v, "mask": _tril(2)}


def qkv(rng: np.random.Generator, lead: tuple[int, ...], T: int, d: int, T_k: int = 0) -> dict:
    T_k = T_k or T
    return {
        "q": rng.normal(size=(*lead, T, d)),
        "k": rng.normal(size=(*lead, T_k, d)),
        "v": rng.normal(size=(*lead, T_k, d + 1)),
    }


def unmasked(rng: np.random.Generator) -> dict:
    """q, k (2, 5, 4), v (2, 5, 5), no mask."""
    return qkv(rng, (2,), 5, 4)


def causal(rng: np.random.Generator) -> dict:
    """q, k (6, 8), v (6, 9) under the causal mask."""
    return {**qkv(rng, (), 6, 8), "mask": _tril(6)}


def wide_keys(rng: np.random.Generator) -> dict:
    """d_k = 64: scores of about ±8 without the scale, ±1 with it."""
    return qkv(rng, (3,), 4, 64)


def cross(rng: np.random.Generator) -> dict:
    """4 queries attending over 6 keys (T_q != T_k), d_k = 3, d_v = 4."""
    return qkv(rng, (), 4, 3, T_k=6)


def batch_heads(rng: np.random.Generator) -> dict:
    """(B, H, T, d) = (2, 3, 5, 4) with a (5, 5) causal mask broadcast over B and H."""
    return {**qkv(rng, (2, 3), 5, 4), "mask": _tril(5)}


def weights_are_a_masked_distribution(
    calls: list[Call], outputs: list, expected: list
) -> str | None:
    """Masked weights exactly 0, every row sums to 1, and the values match the reference."""
    if not isinstance(outputs[0], (list, tuple)) or len(outputs[0]) != 2:
        return "scaled_dot_product_attention should return (out, weights)"
    weights = np.asarray(outputs[0][1], dtype=np.float64)
    mask = np.broadcast_to(calls[0].kwargs["mask"], expected[0][1].shape)
    if weights.shape != mask.shape:
        return f"weights have shape {weights.shape}, expected {mask.shape}"
    if np.any(weights[~mask] != 0.0):
        return "masked positions got a non-zero weight: they must be exactly 0"
    if not np.allclose(weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12):
        return "the weights of a query do not sum to 1 over the allowed keys"
    if not np.allclose(weights, expected[0][1], rtol=1e-6, atol=1e-9):
        return "the weights sum to 1 and respect the mask but differ from the expected values"
    return None


def mha_weights(rng: np.random.Generator, d: int, d_out: int = 0) -> dict:
    scale = 1.0 / np.sqrt(d)
    return {
        "Wq": rng.normal(size=(d, d)) * scale * 2.0,
        "Wk": rng.normal(size=(d, d)) * scale * 2.0,
        "Wv": rng.normal(size=(d, d)) * scale,
        "Wo": rng.normal(size=(d, d_out or d)) * scale,
    }


def mha_two_heads(rng: np.random.Generator) -> dict:
    """x (5, 8), 2 heads of 4, no mask."""
    return {"x": rng.normal(size=(5, 8)), **mha_weights(rng, 8), "n_heads": 2}


def mha_many_small_heads(rng: np.random.Generator) -> dict:
    """x (6, 8), 4 heads of 2, causal: a mixed-up head split shows here."""
    return {"x": rng.normal(size=(6, 8)), **mha_weights(rng, 8), "n_heads": 4, "mask": _tril(6)}


def mha_batch(rng: np.random.Generator) -> dict:
    """x (2, 5, 12), 3 heads of 4, Wo (12, 6), causal."""
    return {
        "x": rng.normal(size=(2, 5, 12)),
        **mha_weights(rng, 12, d_out=6),
        "n_heads": 3,
        "mask": _tril(5),
    }


def mha_future_changed(rng: np.random.Generator) -> list[Call]:
    """The same causal attention on two inputs that agree on the first 3 of 7 positions."""
    kwargs = {
        "x": rng.normal(size=(2, 7, 6)),
        **mha_weights(rng, 6),
        "n_heads": 2,
        "mask": _tril(7),
    }
    x2 = kwargs["x"].copy()
    x2[:, 3:] = rng.normal(size=(2, 4, 6)) * 3.0
    return [Call("multi_head_attention", kwargs), Call("multi_head_attention", {**kwargs, "x": x2})]


def past_ignores_future(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Outputs at positions 0-2 are equal for both inputs, and every output is right."""
    a, b = (np.asarray(o, dtype=np.float64) for o in outputs)
    if a.shape != expected[0].shape or b.shape != expected[1].shape:
        return f"output shape {a.shape}, expected {expected[0].shape}"
    if not np.allclose(a[:, :3], b[:, :3], rtol=1e-9, atol=1e-12):
        return "changing tokens 3-6 changed the outputs at positions 0-2: the future leaks back"
    if not (np.allclose(a, expected[0]) and np.allclose(b, expected[1])):
        return "the past is unaffected by the future, but the outputs differ from the expected"
    return None


def causal_masks(rng: np.random.Generator) -> list[Call]:
    """causal_mask(1) and causal_mask(7)."""
    return [Call("causal_mask", {"T": 1}), Call("causal_mask", {"T": 7})]
