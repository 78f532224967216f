"""Exercise 10: a GPT forward pass from the pieces of exercises 06, 08 and 09.

You may import your own earlier modules, for example:
    from layernorm import layer_norm
    from attention import causal_mask, multi_head_attention
    from ffn import ffn

Check your work with:  gradeformer check transformer
"""

from __future__ import annotations

from typing import Any

import numpy as np


def embed(tokens: np.ndarray, W_tok: np.ndarray, W_pos: np.ndarray) -> np.ndarray:
    """x = W_tok[tokens] + W_pos[:T]: each token's vector plus its position's vector.

    Shapes: tokens (B, T) int; W_tok (V, d); W_pos (T_max, d), T <= T_max; returns (B, T, d).

    Example:
        >>> embed(np.array([[2, 0]]), np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]),
        ...       np.array([[0.1, 0.2], [0.3, 0.4], [9.0, 9.0]]))
        array([[[2.1, 2.2],
                [1.3, 0.4]]])
    """
    raise NotImplementedError


def transformer_block(x: np.ndarray, p: dict[str, np.ndarray], n_heads: int) -> np.ndarray:
    """One pre-LayerNorm, causal transformer block (every LayerNorm with eps = 1e-5):

        h   = x + multi_head_attention(LN1(x), Wq, Wk, Wv, Wo, n_heads, causal_mask(T))
        out = h + ffn(LN2(h), W1, b1, W2, b2)

    LN1 uses p["ln1_g"], p["ln1_b"]; LN2 uses p["ln2_g"], p["ln2_b"].

    Shapes: x (B, T, d); p holds ln1_g, ln1_b, ln2_g, ln2_b, b2 (d,); Wq, Wk, Wv, Wo (d, d);
    W1 (d, d_ff); b1 (d_ff,); W2 (d_ff, d). Returns (B, T, d).

    Example (all weights zero: both sub-layers add 0, so the block returns x):
        >>> d = 2; z = np.zeros((d, d)); p = {"ln1_g": np.ones(d), "ln1_b": np.zeros(d),
        ...     "Wq": z, "Wk": z, "Wv": z, "Wo": z, "ln2_g": np.ones(d), "ln2_b": np.zeros(d),
        ...     "W1": np.zeros((d, 8)), "b1": np.zeros(8), "W2": np.zeros((8, d)),
        ...     "b2": np.zeros(d)}
        >>> transformer_block(np.array([[[1.0, 2.0]]]), p, n_heads=1)
        array([[[1., 2.]]])
    """
    raise NotImplementedError


def gpt_forward(tokens: np.ndarray, params: dict[str, Any], n_heads: int) -> np.ndarray:
    """Logits of a GPT: embed, every block in order, a final LayerNorm, the tied head.

        x      = embed(tokens, W_tok, W_pos)
        x      = transformer_block(x, block, n_heads)      for block in params["blocks"]
        logits = layer_norm(x, lnf_g, lnf_b, 1e-5) @ W_tok.T

    params = {"W_tok": (V, d), "W_pos": (T_max, d), "blocks": [p, ...], "lnf_g": (d,),
    "lnf_b": (d,)}. tokens (B, T) int; returns logits (B, T, V).

    Example (no blocks; token 0 at position 0 is [1, 0] + [1, -1] = [2, -1]):
        >>> params = {"W_tok": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        ...           "W_pos": np.array([[1.0, -1.0]]), "blocks": [],
        ...           "lnf_g": np.ones(2), "lnf_b": np.zeros(2)}
        >>> gpt_forward(np.array([[0]]), params, n_heads=1)
        array([[[ 0.99999778, -0.99999778,  0.        ]]])
    """
    raise NotImplementedError
