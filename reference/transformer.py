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

The forward pass keeps the residual stream at every sub-layer boundary, [x_0, h_0, x_1, h_1,
…, x_L]; each sub-layer's backward recomputes its own inside (LayerNorm, attention weights,
GELU) from its input, which costs a little arithmetic and keeps every function self-contained.
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


# A block is two residual sub-layers; the residual stream passes x -> h -> out.


def attention_sublayer(x: np.ndarray, p: Params, n_heads: int) -> np.ndarray:
    """h = x + MHA(LN1(x)) with the causal mask."""
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    mask = causal_mask(x.shape[-2])
    return x + multi_head_attention(a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask)


def ffn_sublayer(h: np.ndarray, p: Params) -> np.ndarray:
    """out = h + FFN(LN2(h))."""
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)
    return h + ffn(c, p["W1"], p["b1"], p["W2"], p["b2"])


def attention_sublayer_backward(
    x: np.ndarray, p: Params, n_heads: int, grad_h: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Backward of h = x + MHA(a), a = LN1(x): the gradient reaches x both directly and
    through the attention."""
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    mask = causal_mask(x.shape[-2])
    g = multi_head_attention_backward(a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask, grad_h)
    grad_x_via_a, grad_g, grad_b = layer_norm_backward(x, p["ln1_g"], g["x"], LN_EPS)
    grads = {"ln1_g": grad_g, "ln1_b": grad_b, "Wq": g["Wq"], "Wk": g["Wk"], "Wv": g["Wv"],
             "Wo": g["Wo"]}  # fmt: skip
    return grad_h + grad_x_via_a, grads


def ffn_sublayer_backward(
    h: np.ndarray, p: Params, grad_out: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Backward of out = h + FFN(c), c = LN2(h)."""
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)
    g = ffn_backward(c, p["W1"], p["b1"], p["W2"], p["b2"], grad_out)
    grad_h_via_c, grad_g, grad_b = layer_norm_backward(h, p["ln2_g"], g["x"], LN_EPS)
    grads = {"ln2_g": grad_g, "ln2_b": grad_b, "W1": g["W1"], "b1": g["b1"], "W2": g["W2"],
             "b2": g["b2"]}  # fmt: skip
    return grad_out + grad_h_via_c, grads


def transformer_block(x: ArrayLike, p: Params, n_heads: int) -> np.ndarray:
    """Pre-LN causal block: h = x + MHA(LN1(x)), out = h + FFN(LN2(h))."""
    x = as_float(x)
    _check_block(x, p)
    return ffn_sublayer(attention_sublayer(x, p, n_heads), p)


def transformer_block_backward(
    x: ArrayLike, p: Params, n_heads: int, grad_out: ArrayLike
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(∂L/∂x, gradients of the block parameters, keyed like ``p``)."""
    x, grad_out = as_float(x), as_float(grad_out)
    _check_block(x, p)
    h = attention_sublayer(x, p, n_heads)  # the forward value the second half needs
    grad_h, ffn_grads = ffn_sublayer_backward(h, p, grad_out)
    grad_x, attention_grads = attention_sublayer_backward(x, p, n_heads, grad_h)
    return grad_x, {key: {**attention_grads, **ffn_grads}[key] for key in BLOCK_KEYS}


def residual_stream(tokens: ArrayLike, params: Params, n_heads: int) -> list[np.ndarray]:
    """[x_0, h_0, x_1, h_1, …, x_L]: the embedding, then after each block's attention (h_l)
    and after its feed-forward network (x_{l+1}); each (..., T, d)."""
    stream = [embed(tokens, params["W_tok"], params["W_pos"])]
    for p in params["blocks"]:
        _check_block(stream[-1], p)
        stream.append(attention_sublayer(stream[-1], p, n_heads))
        stream.append(ffn_sublayer(stream[-1], p))
    return stream


def output_head(x: np.ndarray, params: Params) -> np.ndarray:
    """logits = LN_f(x) W_tokᵀ: the final LayerNorm and the head tied to the embedding."""
    normed = layer_norm(x, params["lnf_g"], params["lnf_b"], LN_EPS)  # (..., T, d)
    return normed @ as_float(params["W_tok"]).T  # (..., T, V)


def gpt_forward(tokens: ArrayLike, params: Params, n_heads: int) -> np.ndarray:
    """Logits (B, T, V) of a GPT for token ids (B, T)."""
    return output_head(residual_stream(tokens, params, n_heads)[-1], params)


def gpt_backward_from_stream(
    tokens: ArrayLike,
    params: Params,
    n_heads: int,
    stream: list[np.ndarray],
    grad_logits: ArrayLike,
) -> Params:
    """Gradients of every parameter (shaped like ``params``), given the residual ``stream``
    of :func:`residual_stream` and grad_logits = ∂L/∂logits."""
    W_tok = as_float(params["W_tok"])
    grad_logits = as_float(grad_logits)
    # logits = n W_tokᵀ, n = LN_f(x_L)
    normed = layer_norm(stream[-1], params["lnf_g"], params["lnf_b"], LN_EPS)
    V, d = W_tok.shape
    grad_W_tok_head = grad_logits.reshape(-1, V).T @ normed.reshape(-1, d)  # (V, d)
    grad_normed = grad_logits @ W_tok  # (..., T, d)
    grad_x, grad_lnf_g, grad_lnf_b = layer_norm_backward(
        stream[-1], params["lnf_g"], grad_normed, LN_EPS
    )
    block_grads: list[dict[str, np.ndarray]] = []
    for l in reversed(range(len(params["blocks"]))):
        p, x, h = params["blocks"][l], stream[2 * l], stream[2 * l + 1]
        grad_h, ffn_grads = ffn_sublayer_backward(h, p, grad_x)
        grad_x, attention_grads = attention_sublayer_backward(x, p, n_heads, grad_h)
        merged = {**attention_grads, **ffn_grads}
        block_grads.insert(0, {key: merged[key] for key in BLOCK_KEYS})
    grad_W_tok_embed, grad_W_pos = embed_backward(tokens, W_tok, params["W_pos"], grad_x)
    return {
        "W_tok": grad_W_tok_embed + grad_W_tok_head,  # tied: both uses add up
        "W_pos": grad_W_pos,
        "blocks": block_grads,
        "lnf_g": grad_lnf_g,
        "lnf_b": grad_lnf_b,
    }


def gpt_backward(tokens: ArrayLike, params: Params, n_heads: int, grad_logits: ArrayLike) -> Params:
    """Gradients of every parameter (shaped like ``params``) given grad_logits = ∂L/∂logits."""
    stream = residual_stream(tokens, params, n_heads)
    return gpt_backward_from_stream(tokens, params, n_heads, stream, grad_logits)
