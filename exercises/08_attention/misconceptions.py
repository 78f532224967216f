"""Known attention mistakes, one bug each (instructor side; numpy and math only)."""

import math

import numpy as np


def _softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sdpa_no_scale(q, k, v, mask=None):
    """Bug: scores q k^T without the 1/sqrt(d_k)."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    w = _softmax(scores)
    return w @ v, w


def sdpa_mask_after_softmax(q, k, v, mask=None):
    """Bug: softmax over every key, then the masked weights set to 0 (rows no longer sum to 1)."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    w = _softmax(q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1]))
    if mask is not None:
        w = w * np.asarray(mask, dtype=bool)
    return w @ v, w


def sdpa_mask_with_zero(q, k, v, mask=None):
    """Bug: masked scores set to 0 instead of -inf, so exp(0) = 1 still gives them weight."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, 0.0)
    w = _softmax(scores)
    return w @ v, w


def mha_interleaved_heads(x, Wq, Wk, Wv, Wo, n_heads, mask=None):
    """Bug: reshapes d into (d_head, n_heads), so head h takes columns h, h + H, h + 2H, ..."""
    x = np.asarray(x, dtype=np.float64)
    d = Wq.shape[1]
    d_head = d // n_heads

    def split(a):
        a = a.reshape(*a.shape[:-1], d_head, n_heads)  # wrong order: should be (n_heads, d_head)
        return np.moveaxis(a, -1, -3)  # (..., H, T, d_head)

    q, k, v = split(x @ Wq), split(x @ Wk), split(x @ Wv)
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(d_head)
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    heads = _softmax(scores) @ v  # (..., H, T, d_head)
    merged = np.moveaxis(heads, -3, -1).reshape(*heads.shape[:-3], heads.shape[-2], d)
    return merged @ Wo


def causal_mask_upper(T):
    """Bug: the upper triangle, which lets every query see the future instead of the past."""
    return np.triu(np.ones((T, T), dtype=bool))
