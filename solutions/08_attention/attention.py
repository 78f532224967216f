"""Scaled dot-product attention, the causal mask, and multi-head self-attention."""

from __future__ import annotations

import math

import numpy as np


def causal_mask(T: int) -> np.ndarray:
    """Boolean (T, T) mask, True where query i may attend to key j, i.e. j <= i."""
    if T < 1:
        raise ValueError(f"causal_mask needs T >= 1, got {T}")
    return np.tril(np.ones((T, T), dtype=bool))


def _softmax_last_axis(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax; -inf scores get weight exactly 0."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """out = softmax(q k^T / sqrt(d_k), masked) v.

    q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v); mask broadcasts to (..., T_q, T_k)
    and is True where attention is allowed. Returns (out (..., T_q, d_v), weights (..., T_q, T_k)).
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"q {q.shape}, k {k.shape}, v {v.shape} do not fit together")
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    weights = _softmax_last_axis(scores)
    return weights @ v, weights


def multi_head_attention(
    x: np.ndarray,
    Wq: np.ndarray,
    Wk: np.ndarray,
    Wv: np.ndarray,
    Wo: np.ndarray,
    n_heads: int,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Self-attention with n_heads heads, no biases.

    q = x Wq, k = x Wk, v = x Wv, each (..., T, d); head h uses columns h*d_head to
    (h+1)*d_head - 1 of each (d_head = d / n_heads). The heads' outputs are put back side by
    side in the same order, (..., T, d), and multiplied by Wo.
    """
    x = np.asarray(x, dtype=np.float64)
    d = Wq.shape[1]
    if n_heads < 1 or d % n_heads != 0:
        raise ValueError(f"n_heads={n_heads} must divide the projection width {d}")
    d_head = d // n_heads
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    heads = []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        out, _ = scaled_dot_product_attention(q[..., cols], k[..., cols], v[..., cols], mask)
        heads.append(out)
    return np.concatenate(heads, axis=-1) @ Wo
