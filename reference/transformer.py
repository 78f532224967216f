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

Every forward step here also has a ``*_forward`` / ``*_with_cache`` form that returns a cache
of its intermediate values (attention weights, GELU inputs, ...) for the matching
``*_backward_from_cache``: a training step computes the forward pass once. The plain backward
functions (``transformer_block_backward``, ``gpt_backward``) run the forward themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference.attention import (
    causal_mask,
    multi_head_attention_backward_from_cache,
    multi_head_attention_forward,
)
from reference.checks import as_float, as_int, require
from reference.feedforward import ffn_backward_from_cache, ffn_forward
from reference.layernorm import layer_norm, layer_norm_backward

LN_EPS = 1e-5
BLOCK_KEYS = ("ln1_g", "ln1_b", "Wq", "Wk", "Wv", "Wo", "ln2_g", "ln2_b", "W1", "b1", "W2", "b2")

Params = dict[str, Any]  # {"W_tok", "W_pos", "blocks": [block, ...], "lnf_g", "lnf_b"}
Cache = dict[str, Any]  # intermediate values of a forward pass, read by its backward pass


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


# A block is two residual sub-layers, x -> h -> out. Each forward returns its output and a
# cache of what its backward reads, so that a training step runs the forward pass only once.


def attention_sublayer(x: np.ndarray, p: Params, n_heads: int) -> tuple[np.ndarray, Cache]:
    """(h, cache) for h = x + MHA(LN1(x)) with the causal mask."""
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    mask = causal_mask(x.shape[-2])
    attended, mha_cache = multi_head_attention_forward(
        a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, mask
    )
    return x + attended, {"x": x, "mha": mha_cache}


def ffn_sublayer(h: np.ndarray, p: Params) -> tuple[np.ndarray, Cache]:
    """(out, cache) for out = h + FFN(LN2(h))."""
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)
    transformed, ffn_cache = ffn_forward(c, p["W1"], p["b1"], p["W2"], p["b2"])
    return h + transformed, {"h": h, "ffn": ffn_cache}


def attention_sublayer_backward(
    cache: Cache, p: Params, grad_h: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Backward of h = x + MHA(a), a = LN1(x): the gradient reaches x both directly and
    through the attention."""
    g = multi_head_attention_backward_from_cache(cache["mha"], grad_h)
    grad_x_via_a, grad_g, grad_b = layer_norm_backward(cache["x"], p["ln1_g"], g["x"], LN_EPS)
    grads = {"ln1_g": grad_g, "ln1_b": grad_b, "Wq": g["Wq"], "Wk": g["Wk"], "Wv": g["Wv"],
             "Wo": g["Wo"]}  # fmt: skip
    return grad_h + grad_x_via_a, grads


def ffn_sublayer_backward(
    cache: Cache, p: Params, grad_out: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Backward of out = h + FFN(c), c = LN2(h)."""
    g = ffn_backward_from_cache(cache["ffn"], grad_out)
    grad_h_via_c, grad_g, grad_b = layer_norm_backward(cache["h"], p["ln2_g"], g["x"], LN_EPS)
    grads = {"ln2_g": grad_g, "ln2_b": grad_b, "W1": g["W1"], "b1": g["b1"], "W2": g["W2"],
             "b2": g["b2"]}  # fmt: skip
    return grad_out + grad_h_via_c, grads


def block_forward(x: ArrayLike, p: Params, n_heads: int) -> tuple[np.ndarray, list[Cache]]:
    """(out, [attention cache, FFN cache]) of one pre-LN causal block."""
    x = as_float(x)
    _check_block(x, p)
    h, attention_cache = attention_sublayer(x, p, n_heads)
    out, ffn_cache = ffn_sublayer(h, p)
    return out, [attention_cache, ffn_cache]


def block_backward_from_cache(
    caches: list[Cache], p: Params, grad_out: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(∂L/∂x, block parameter gradients keyed like ``p``): the two sub-layers in reverse."""
    attention_cache, ffn_cache = caches
    grad_h, ffn_grads = ffn_sublayer_backward(ffn_cache, p, grad_out)
    grad_x, attention_grads = attention_sublayer_backward(attention_cache, p, grad_h)
    grads = {**attention_grads, **ffn_grads}
    return grad_x, {key: grads[key] for key in BLOCK_KEYS}


def transformer_block(x: ArrayLike, p: Params, n_heads: int) -> np.ndarray:
    """Pre-LN causal block: h = x + MHA(LN1(x)), out = h + FFN(LN2(h))."""
    return block_forward(x, p, n_heads)[0]


def transformer_block_backward(
    x: ArrayLike, p: Params, n_heads: int, grad_out: ArrayLike
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(∂L/∂x, gradients of the block parameters, keyed like ``p``)."""
    _, caches = block_forward(x, p, n_heads)
    return block_backward_from_cache(caches, p, as_float(grad_out))


def gpt_forward_with_cache(
    tokens: ArrayLike, params: Params, n_heads: int
) -> tuple[np.ndarray, Cache]:
    """(logits, cache): the logits of :func:`gpt_forward` and every block's cache."""
    x = embed(tokens, params["W_tok"], params["W_pos"])  # (B, T, d)
    block_caches = []
    for p in params["blocks"]:
        x, caches = block_forward(x, p, n_heads)
        block_caches.append(caches)
    normed = layer_norm(x, params["lnf_g"], params["lnf_b"], LN_EPS)  # (B, T, d)
    logits = normed @ as_float(params["W_tok"]).T  # (B, T, V), the head tied to W_tok
    return logits, {"tokens": tokens, "blocks": block_caches, "x_last": x, "normed": normed}


def gpt_forward(tokens: ArrayLike, params: Params, n_heads: int) -> np.ndarray:
    """Logits (B, T, V) of a GPT for token ids (B, T): LN_f(x_L) W_tokᵀ."""
    return gpt_forward_with_cache(tokens, params, n_heads)[0]


def gpt_backward_from_cache(params: Params, cache: Cache, grad_logits: ArrayLike) -> Params:
    """Gradients of every parameter (shaped like ``params``) from the forward's ``cache``
    and grad_logits = ∂L/∂logits."""
    W_tok = as_float(params["W_tok"])
    grad_logits = as_float(grad_logits)
    V, d = W_tok.shape
    # logits = n W_tokᵀ with n = LN_f(x_L)
    grad_W_tok_head = grad_logits.reshape(-1, V).T @ cache["normed"].reshape(-1, d)  # (V, d)
    grad_normed = grad_logits @ W_tok  # (B, T, d)
    grad_x, grad_lnf_g, grad_lnf_b = layer_norm_backward(
        cache["x_last"], params["lnf_g"], grad_normed, LN_EPS
    )
    block_grads: list[dict[str, np.ndarray]] = []
    for p, caches in zip(reversed(params["blocks"]), reversed(cache["blocks"]), strict=True):
        grad_x, grads = block_backward_from_cache(caches, p, grad_x)
        block_grads.insert(0, grads)
    grad_W_tok_embed, grad_W_pos = embed_backward(cache["tokens"], W_tok, params["W_pos"], grad_x)
    return {
        "W_tok": grad_W_tok_embed + grad_W_tok_head,  # tied: both uses add up
        "W_pos": grad_W_pos,
        "blocks": block_grads,
        "lnf_g": grad_lnf_g,
        "lnf_b": grad_lnf_b,
    }


def gpt_backward(tokens: ArrayLike, params: Params, n_heads: int, grad_logits: ArrayLike) -> Params:
    """Gradients of every parameter (shaped like ``params``) given grad_logits = ∂L/∂logits."""
    _, cache = gpt_forward_with_cache(tokens, params, n_heads)
    return gpt_backward_from_cache(params, cache, grad_logits)
