"""Known transformer mistakes, one bug each (instructor side; numpy and math only).

Self-contained: the helpers below are small correct versions of exercises 06, 08 and 09.
"""

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _ln(x, g, b):
    mu = x.mean(axis=-1, keepdims=True)
    return g * (x - mu) / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-5) + b


def _mha(x, p, n_heads, causal=True):
    T, d = x.shape[-2], x.shape[-1]
    dh = d // n_heads

    def split(a):
        return np.moveaxis(a.reshape(*a.shape[:-1], n_heads, dh), -2, -3)

    q, k, v = split(x @ p["Wq"]), split(x @ p["Wk"]), split(x @ p["Wv"])
    s = q @ np.swapaxes(k, -1, -2) / math.sqrt(dh)
    if causal:
        s = np.where(np.tril(np.ones((T, T), dtype=bool)), s, -np.inf)
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    heads = (w / w.sum(axis=-1, keepdims=True)) @ v
    return np.moveaxis(heads, -3, -2).reshape(*x.shape[:-1], d) @ p["Wo"]


def _ffn(x, p):
    z = x @ p["W1"] + p["b1"]
    return (z * 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))) @ p["W2"] + p["b2"]


def _block(x, p, n_heads):
    h = x + _mha(_ln(x, p["ln1_g"], p["ln1_b"]), p, n_heads)
    return h + _ffn(_ln(h, p["ln2_g"], p["ln2_b"]), p)


def block_post_ln(x, p, n_heads):
    """Bug: post-LN (the 2017 paper's order): LayerNorm after each residual sum."""
    x = np.asarray(x, dtype=np.float64)
    h = _ln(x + _mha(x, p, n_heads), p["ln1_g"], p["ln1_b"])
    return _ln(h + _ffn(h, p), p["ln2_g"], p["ln2_b"])


def block_no_residual(x, p, n_heads):
    """Bug: the sub-layers' outputs replace the stream instead of being added to it."""
    x = np.asarray(x, dtype=np.float64)
    h = _mha(_ln(x, p["ln1_g"], p["ln1_b"]), p, n_heads)
    return _ffn(_ln(h, p["ln2_g"], p["ln2_b"]), p)


def block_not_causal(x, p, n_heads):
    """Bug: attention without the causal mask."""
    x = np.asarray(x, dtype=np.float64)
    h = x + _mha(_ln(x, p["ln1_g"], p["ln1_b"]), p, n_heads, causal=False)
    return h + _ffn(_ln(h, p["ln2_g"], p["ln2_b"]), p)


def gpt_forward_no_final_ln(tokens, params, n_heads):
    """Bug: the final LayerNorm before the tied head is missing."""
    tokens = np.asarray(tokens)
    x = params["W_tok"][tokens] + params["W_pos"][: tokens.shape[-1]]
    for p in params["blocks"]:
        x = _block(x, p, n_heads)
    return x @ params["W_tok"].T
