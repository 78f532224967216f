r"""Scaled dot-product attention, causal masking and multi-head attention, with backward passes.

Scaled dot-product attention, for queries q (..., T_q, d_k), keys k (..., T_k, d_k) and
values v (..., T_k, d_v):

    S = q kᵀ / √d_k                    (..., T_q, T_k)   how well each query matches each key
    S_ij = −∞ where mask_ij is False   (so e^{S_ij} = 0: a masked weight is exactly 0)
    W = softmax(S) along the keys      (..., T_q, T_k)   each row sums to 1
    out = W v                          (..., T_q, d_v)

Backward, given G = ∂L/∂out and the forward's weights W:

    ∂L/∂v = Wᵀ G,   ∂L/∂W = G vᵀ,   ∂L/∂S = softmax_backward(W, ∂L/∂W),
    ∂L/∂q = ∂L/∂S k / √d_k,   ∂L/∂k = (∂L/∂S)ᵀ q / √d_k

Multi-head attention (no biases) projects x (..., T, d_model) to Q = x Wq, K = x Wk,
V = x Wv, cuts the last axis into n_heads contiguous slices of d_head = d / n_heads columns
(head h owns columns h·d_head … (h+1)·d_head − 1), attends within each head, puts the heads
back side by side and projects with Wo.

``*_forward`` functions return the output and a cache of the intermediate values, and
``*_backward_from_cache`` turn the cache and ∂L/∂out into gradients: a training step runs
the forward pass once and reuses it. The plain backward functions do both in one call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require
from reference.layers import linear_backward
from reference.softmax_ops import softmax, softmax_backward


def causal_mask(T: int) -> np.ndarray:
    """Boolean (T, T), True on and below the diagonal: position i may look at j <= i."""
    require(int(T) == T and T >= 1, f"causal_mask needs a positive length T, got {T}")
    return np.tril(np.ones((int(T), int(T)), dtype=bool))


def _check_qkv(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> None:
    require(
        q.ndim >= 2 and k.ndim >= 2 and v.ndim >= 2,
        f"q, k, v need shape (..., T, d), got {q.shape}, {k.shape}, {v.shape}",
    )
    require(
        q.shape[-1] == k.shape[-1] and k.shape[-2] == v.shape[-2],
        f"q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v) do not fit: "
        f"q {q.shape}, k {k.shape}, v {v.shape}",
    )


def _attention_weights(q: np.ndarray, k: np.ndarray, mask: ArrayLike | None) -> np.ndarray:
    """W = softmax(q kᵀ / √d_k, masked), shape (..., T_q, T_k)."""
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])  # (..., T_q, T_k)
    if mask is not None:
        allowed = np.asarray(mask, dtype=bool)
        try:
            np.broadcast_shapes(allowed.shape, scores.shape)
        except ValueError:
            raise ValueError(
                f"mask of shape {allowed.shape} does not broadcast to the scores {scores.shape}"
            ) from None
        scores = np.where(allowed, scores, -np.inf)
    return softmax(scores, axis=-1)


def scaled_dot_product_attention(
    q: ArrayLike, k: ArrayLike, v: ArrayLike, mask: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(out, weights): out = softmax(q kᵀ/√d_k) v, masked entries given weight exactly 0."""
    q, k, v = as_float(q), as_float(k), as_float(v)
    _check_qkv(q, k, v)
    weights = _attention_weights(q, k, mask)  # (..., T_q, T_k)
    return weights @ v, weights  # (..., T_q, d_v), (..., T_q, T_k)


def scaled_dot_product_attention_backward(
    q: ArrayLike, k: ArrayLike, v: ArrayLike, weights: ArrayLike, grad_out: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂q, ∂L/∂k, ∂L/∂v) given the forward's ``weights`` and grad_out = ∂L/∂out.

    The mask needs no special care here: a masked weight is 0, so its score gets gradient 0.
    q, k, v must have equal leading axes (no broadcasting between them).
    """
    q, k, v, grad_out = as_float(q), as_float(k), as_float(v), as_float(grad_out)
    _check_qkv(q, k, v)
    weights = as_float(weights)  # (..., T_q, T_k)
    grad_v = np.swapaxes(weights, -1, -2) @ grad_out  # (..., T_k, d_v)
    grad_weights = grad_out @ np.swapaxes(v, -1, -2)  # (..., T_q, T_k)
    grad_scores = softmax_backward(weights, grad_weights) / math.sqrt(q.shape[-1])
    grad_q = grad_scores @ k  # (..., T_q, d_k)
    grad_k = np.swapaxes(grad_scores, -1, -2) @ q  # (..., T_k, d_k)
    return grad_q, grad_k, grad_v


def split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    """(..., T, d) -> (..., n_heads, T, d_head); head h takes columns h·d_head … (h+1)·d_head−1."""
    *lead, T, d = x.shape
    heads = x.reshape(*lead, T, n_heads, d // n_heads)  # (..., T, H, d_head)
    return np.swapaxes(heads, -2, -3)  # (..., H, T, d_head)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """(..., n_heads, T, d_head) -> (..., T, n_heads·d_head), the inverse of split_heads."""
    *lead, H, T, d_head = x.shape
    return np.swapaxes(x, -3, -2).reshape(*lead, T, H * d_head)


def _check_mha(x: np.ndarray, Ws: list[np.ndarray], n_heads: int) -> None:
    Wq, Wk, Wv, Wo = Ws
    require(x.ndim >= 2, f"multi-head attention needs x (..., T, d_model), got {x.shape}")
    d = x.shape[-1]
    require(
        all(W.ndim == 2 and W.shape[0] == d for W in (Wq, Wk, Wv))
        and Wq.shape == Wk.shape
        and Wo.ndim == 2
        and Wo.shape[0] == Wv.shape[1],
        f"weights do not fit x {x.shape}: Wq {Wq.shape}, Wk {Wk.shape}, Wv {Wv.shape}, "
        f"Wo {Wo.shape} (need Wq, Wk (d_model, d_k·H), Wv (d_model, d_v·H), Wo (d_v·H, d_out))",
    )
    require(
        int(n_heads) == n_heads
        and n_heads >= 1
        and Wq.shape[1] % n_heads == 0
        and Wv.shape[1] % n_heads == 0,
        f"n_heads={n_heads} must be a positive divisor of the projection widths "
        f"{Wq.shape[1]} and {Wv.shape[1]}",
    )


Cache = dict[str, Any]


def multi_head_attention_forward(
    x: ArrayLike,
    Wq: ArrayLike,
    Wk: ArrayLike,
    Wv: ArrayLike,
    Wo: ArrayLike,
    n_heads: int,
    mask: ArrayLike | None = None,
) -> tuple[np.ndarray, Cache]:
    """(out, cache): the output of :func:`multi_head_attention` and the intermediate values
    its backward pass reads (the heads' q, k, v, the attention weights, the merged heads)."""
    x = as_float(x)
    Wq, Wk, Wv, Wo = (as_float(W) for W in (Wq, Wk, Wv, Wo))
    _check_mha(x, [Wq, Wk, Wv, Wo], n_heads)
    n_heads = int(n_heads)
    q, k, v = (split_heads(x @ W, n_heads) for W in (Wq, Wk, Wv))  # each (..., H, T, d_head)
    heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (..., H, T, d_head)
    merged = merge_heads(heads)  # (..., T, d_v·H)
    out = merged @ Wo  # (..., T, d_out)
    cache = {"x": x, "Wq": Wq, "Wk": Wk, "Wv": Wv, "Wo": Wo, "n_heads": n_heads,
             "q": q, "k": k, "v": v, "weights": weights, "merged": merged}  # fmt: skip
    return out, cache


def multi_head_attention(
    x: ArrayLike,
    Wq: ArrayLike,
    Wk: ArrayLike,
    Wv: ArrayLike,
    Wo: ArrayLike,
    n_heads: int,
    mask: ArrayLike | None = None,
) -> np.ndarray:
    """merge_heads(attention(split(x Wq), split(x Wk), split(x Wv))) Wo, no biases."""
    return multi_head_attention_forward(x, Wq, Wk, Wv, Wo, n_heads, mask)[0]


def multi_head_attention_backward_from_cache(
    cache: Cache, grad_out: ArrayLike
) -> dict[str, np.ndarray]:
    """Gradients {"x", "Wq", "Wk", "Wv", "Wo"} from the forward's ``cache``."""
    c = cache
    grad_merged, grad_Wo, _ = linear_backward(c["merged"], c["Wo"], grad_out)
    grad_q, grad_k, grad_v = scaled_dot_product_attention_backward(
        c["q"], c["k"], c["v"], c["weights"], split_heads(grad_merged, c["n_heads"])
    )
    grads: dict[str, np.ndarray] = {"Wo": grad_Wo}
    grad_x = np.zeros_like(c["x"])
    for name, grad_head in (("Wq", grad_q), ("Wk", grad_k), ("Wv", grad_v)):
        grad_x_part, grads[name], _ = linear_backward(c["x"], c[name], merge_heads(grad_head))
        grad_x = grad_x + grad_x_part  # x feeds all three projections: their gradients add
    grads["x"] = grad_x
    return grads


def multi_head_attention_backward(
    x: ArrayLike,
    Wq: ArrayLike,
    Wk: ArrayLike,
    Wv: ArrayLike,
    Wo: ArrayLike,
    n_heads: int,
    mask: ArrayLike | None,
    grad_out: ArrayLike,
) -> dict[str, np.ndarray]:
    """Gradients {"x", "Wq", "Wk", "Wv", "Wo"} of :func:`multi_head_attention`."""
    _, cache = multi_head_attention_forward(x, Wq, Wk, Wv, Wo, n_heads, mask)
    return multi_head_attention_backward_from_cache(cache, grad_out)
