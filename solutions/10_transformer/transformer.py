"""A GPT forward pass: embeddings, pre-LayerNorm causal blocks, and a tied output head."""

from __future__ import annotations

from typing import Any

import numpy as np
from attention import causal_mask, multi_head_attention
from ffn import ffn
from layernorm import layer_norm

LN_EPS = 1e-5


def embed(tokens: np.ndarray, W_tok: np.ndarray, W_pos: np.ndarray) -> np.ndarray:
    """x = W_tok[tokens] + W_pos[:T]: token vectors plus position vectors.

    tokens (..., T) ints; W_tok (V, d); W_pos (T_max, d) with T <= T_max; returns (..., T, d).
    """
    tokens = np.asarray(tokens)
    T = tokens.shape[-1]
    if T > W_pos.shape[0]:
        raise ValueError(f"{T} tokens but only {W_pos.shape[0]} positions in W_pos")
    return W_tok[tokens] + W_pos[:T]


def transformer_block(x: np.ndarray, p: dict[str, np.ndarray], n_heads: int) -> np.ndarray:
    """Pre-LN causal block: h = x + MHA(LN1(x)), out = h + FFN(LN2(h)). x (..., T, d)."""
    x = np.asarray(x, dtype=np.float64)
    mask = causal_mask(x.shape[-2])
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    h = x + multi_head_attention(a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask)
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)
    return h + ffn(c, p["W1"], p["b1"], p["W2"], p["b2"])


def gpt_forward(tokens: np.ndarray, params: dict[str, Any], n_heads: int) -> np.ndarray:
    """logits = LN_f(blocks(embed(tokens))) @ W_tok^T. tokens (B, T); returns (B, T, V)."""
    x = embed(tokens, params["W_tok"], params["W_pos"])
    for p in params["blocks"]:
        x = transformer_block(x, p, n_heads)
    x = layer_norm(x, params["lnf_g"], params["lnf_b"], LN_EPS)
    return x @ params["W_tok"].T
