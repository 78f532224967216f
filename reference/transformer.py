r"""A GPT: token + position embeddings, pre-LayerNorm causal blocks, a tied output head.

    x_0     = W_tok[tokens] + W_pos[:T]                      (B, T, d)    embed
    x_{l+1} = block_l(x_l)                                   (B, T, d)    l = 0 … L−1
    logits  = LN_f(x_L) W_tokᵀ                                (B, T, V)    tied head

One block (pre-LayerNorm, causal; every LayerNorm uses ε = 1e-5):

    a   = LN1(x)
    h   = x + MHA(a, mask = causal)       residual around attention
    c   = LN2(h)
    out = h + FFN(c)                      residual around the feed-forward network

Backward runs the same steps in reverse. A residual connection y = x + f(x) passes the
gradient straight through *and* through f: ∂L/∂x = ∂L/∂y + (∂f/∂x)ᵀ ∂L/∂y. The tied W_tok
gets two contributions, one from the embedding lookup and one from the output head.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference.attention import (
    causal_mask,
    multi_head_attention,
    multi_head_attention_backward,
)
from reference.checks import as_float, as_int, require
from reference.feedforward import ffn, ffn_backward
from reference.layernorm import layer_norm, layer_norm_backward

LN_EPS = 1e-5
BLOCK_KEYS = ("ln1_g", "ln1_b", "Wq", "Wk", "Wv", "Wo", "ln2_g", "ln2_b", "W1", "b1", "W2", "b2")

Params = dict[str, Any]  # {"W_tok", "W_pos", "blocks": [block, ...], "lnf_g", "lnf_b"}


def _check_tokens(tokens: ArrayLike, W_tok: np.ndarray, W_pos: np.ndarray) -> np.ndarray:
    ids = as_int(tokens, "tokens")
    require(ids.ndim >= 1, f"tokens need shape (..., T), got {ids.shape}")
    T = ids.shape[-1]
    require(
        1 <= T <= W_pos.shape[0],
        f"sequence length T={T} must be between 1 and the context length {W_pos.shape[0]}",
    )
    require(
        bool(np.all((ids >= 0) & (ids < W_tok.shape[0]))),
        f"token ids must be in [0, {W_tok.shape[0]}), got values from {ids.min()} to {ids.max()}",
    )
    return ids


def embed(tokens: ArrayLike, W_tok: ArrayLike, W_pos: ArrayLike) -> np.ndarray:
    """W_tok[tokens] + W_pos[:T] for tokens (..., T): a d-vector per position."""
    W_tok, W_pos = as_float(W_tok), as_float(W_pos)
    require(
        W_tok.ndim == 2 and W_pos.ndim == 2 and W_tok.shape[1] == W_pos.shape[1],
        f"W_tok (V, d) and W_pos (context, d) do not fit: {W_tok.shape}, {W_pos.shape}",
    )
    ids = _check_tokens(tokens, W_tok, W_pos)
    return W_tok[ids] + W_pos[: ids.shape[-1]]  # (..., T, d)


def embed_backward(
    tokens: ArrayLike, W_tok: ArrayLike, W_pos: ArrayLike, grad_out: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂W_tok, ∂L/∂W_pos): each row collects the gradients of the positions that used it."""
    W_tok, W_pos, grad_out = as_float(W_tok), as_float(W_pos), as_float(grad_out)
    ids = _check_tokens(tokens, W_tok, W_pos)
    d, T = W_tok.shape[1], ids.shape[-1]
    grad_W_tok = np.zeros_like(W_tok)
    np.add.at(grad_W_tok, ids.reshape(-1), grad_out.reshape(-1, d))  # a repeated id adds up
    grad_W_pos = np.zeros_like(W_pos)  # rows T and beyond were not used: gradient 0
    grad_W_pos[:T] = grad_out.reshape(-1, T, d).sum(axis=0)
    return grad_W_tok, grad_W_pos


def _check_block(x: np.ndarray, p: Params) -> None:
    missing = [key for key in BLOCK_KEYS if key not in p]
    require(not missing, f"block parameters are missing {missing}; expected keys {BLOCK_KEYS}")
    require(x.ndim >= 2, f"a transformer block needs x (..., T, d), got {x.shape}")


def transformer_block(x: ArrayLike, p: Params, n_heads: int) -> np.ndarray:
    """Pre-LN causal block: h = x + MHA(LN1(x)), out = h + FFN(LN2(h))."""
    x = as_float(x)
    _check_block(x, p)
    mask = causal_mask(x.shape[-2])
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    h = x + multi_head_attention(a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask)
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)
    return h + ffn(c, p["W1"], p["b1"], p["W2"], p["b2"])


def transformer_block_backward(
    x: ArrayLike, p: Params, n_heads: int, grad_out: ArrayLike
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(∂L/∂x, gradients of the block parameters, keyed like ``p``)."""
    x, grad_out = as_float(x), as_float(grad_out)
    _check_block(x, p)
    mask = causal_mask(x.shape[-2])
    # forward again, keeping the intermediate values the backward pass needs
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    h = x + multi_head_attention(a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask)
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)

    # out = h + FFN(c)
    g_ffn = ffn_backward(c, p["W1"], p["b1"], p["W2"], p["b2"], grad_out)
    g_c_x, g_ln2_g, g_ln2_b = layer_norm_backward(h, p["ln2_g"], g_ffn["x"], LN_EPS)
    grad_h = grad_out + g_c_x
    # h = x + MHA(a)
    g_mha = multi_head_attention_backward(
        a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask, grad_h
    )
    g_a_x, g_ln1_g, g_ln1_b = layer_norm_backward(x, p["ln1_g"], g_mha["x"], LN_EPS)
    grad_x = grad_h + g_a_x

    grads = {
        "ln1_g": g_ln1_g, "ln1_b": g_ln1_b,
        "Wq": g_mha["Wq"], "Wk": g_mha["Wk"], "Wv": g_mha["Wv"], "Wo": g_mha["Wo"],
        "ln2_g": g_ln2_g, "ln2_b": g_ln2_b,
        "W1": g_ffn["W1"], "b1": g_ffn["b1"], "W2": g_ffn["W2"], "b2": g_ffn["b2"],
    }  # fmt: skip
    return grad_x, grads


def residual_stream(tokens: ArrayLike, params: Params, n_heads: int) -> list[np.ndarray]:
    """[x_0, x_1, …, x_L]: the embedding and the output of every block, each (..., T, d)."""
    xs = [embed(tokens, params["W_tok"], params["W_pos"])]
    for p in params["blocks"]:
        xs.append(transformer_block(xs[-1], p, n_heads))
    return xs


def output_head(x: np.ndarray, params: Params) -> np.ndarray:
    """logits = LN_f(x) W_tokᵀ: the final LayerNorm and the head tied to the embedding."""
    normed = layer_norm(x, params["lnf_g"], params["lnf_b"], LN_EPS)  # (..., T, d)
    return normed @ as_float(params["W_tok"]).T  # (..., T, V)


def gpt_forward(tokens: ArrayLike, params: Params, n_heads: int) -> np.ndarray:
    """Logits (B, T, V) of a GPT for token ids (B, T)."""
    return output_head(residual_stream(tokens, params, n_heads)[-1], params)


def gpt_backward_from_stream(
    tokens: ArrayLike, params: Params, n_heads: int, xs: list[np.ndarray], grad_logits: ArrayLike
) -> Params:
    """Gradients of every parameter (shaped like ``params``), given the residual stream ``xs``
    of :func:`residual_stream` and grad_logits = ∂L/∂logits."""
    W_tok = as_float(params["W_tok"])
    grad_logits = as_float(grad_logits)
    # logits = n W_tokᵀ, n = LN_f(x_L)
    normed = layer_norm(xs[-1], params["lnf_g"], params["lnf_b"], LN_EPS)
    d = W_tok.shape[1]
    grad_W_tok_head = grad_logits.reshape(-1, W_tok.shape[0]).T @ normed.reshape(-1, d)  # (V, d)
    grad_normed = grad_logits @ W_tok  # (..., T, d)
    grad_x, grad_lnf_g, grad_lnf_b = layer_norm_backward(
        xs[-1], params["lnf_g"], grad_normed, LN_EPS
    )
    block_grads: list[dict[str, np.ndarray]] = []
    for x, p in zip(reversed(xs[:-1]), reversed(params["blocks"])):
        grad_x, g = transformer_block_backward(x, p, n_heads, grad_x)
        block_grads.insert(0, g)
    grad_W_tok_embed, grad_W_pos = embed_backward(tokens, W_tok, params["W_pos"], grad_x)
    return {
        "W_tok": grad_W_tok_embed + grad_W_tok_head,  # tied: both uses add up
        "W_pos": grad_W_pos,
        "blocks": block_grads,
        "lnf_g": grad_lnf_g,
        "lnf_b": grad_lnf_b,
    }


def gpt_backward(
    tokens: ArrayLike, params: Params, n_heads: int, grad_logits: ArrayLike
) -> Params:
    """Gradients of every parameter (shaped like ``params``) given grad_logits = ∂L/∂logits."""
    xs = residual_stream(tokens, params, n_heads)
    return gpt_backward_from_stream(tokens, params, n_heads, xs, grad_logits)
