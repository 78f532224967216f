"""Training a GPT with backpropagation and AdamW, and generating text from it.

Forward pieces come from the earlier exercises; this module adds the backward pass of the
whole model (attention's backward included), the optimiser, the loop and sampling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from attention import causal_mask, multi_head_attention
from ffn import ffn_backward
from layernorm import layer_norm, layer_norm_backward
from transformer import embed, gpt_forward, transformer_block

LN_EPS = 1e-5
Params = dict[str, Any]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _split(a: np.ndarray, n_heads: int) -> np.ndarray:
    """(B, T, d) -> (B, H, T, d_head), head h = columns h*d_head ... (h+1)*d_head - 1."""
    B, T, d = a.shape
    return a.reshape(B, T, n_heads, d // n_heads).transpose(0, 2, 1, 3)


def _merge(a: np.ndarray) -> np.ndarray:
    """(B, H, T, d_head) -> (B, T, H*d_head), the inverse of _split."""
    B, H, T, dh = a.shape
    return a.transpose(0, 2, 1, 3).reshape(B, T, H * dh)


def _attention_backward(
    a: np.ndarray, p: Params, n_heads: int, grad_out: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Gradients of causal multi-head attention out = merge(softmax(q k^T/sqrt(dh)) v) Wo."""
    B, T, d = a.shape
    q, k, v = (_split(a @ p[name], n_heads) for name in ("Wq", "Wk", "Wv"))
    scale = 1.0 / math.sqrt(d // n_heads)
    scores = np.where(causal_mask(T), q @ k.transpose(0, 1, 3, 2) * scale, -np.inf)
    weights = _softmax(scores)  # (B, H, T, T)
    merged = _merge(weights @ v)  # (B, T, d)

    grad_merged = grad_out @ p["Wo"].T
    grad_heads = _split(grad_merged, n_heads)  # (B, H, T, dh)
    grad_weights = grad_heads @ v.transpose(0, 1, 3, 2)
    grad_v = weights.transpose(0, 1, 3, 2) @ grad_heads
    # softmax backward: dS = W * (dW - sum(dW * W)) row by row; masked entries have W = 0
    grad_scores = weights * (grad_weights - (grad_weights * weights).sum(-1, keepdims=True))
    grad_scores *= scale
    grad_q = _merge(grad_scores @ k)
    grad_k = _merge(grad_scores.transpose(0, 1, 3, 2) @ q)
    grad_v = _merge(grad_v)

    a2 = a.reshape(-1, d)
    grads = {
        "Wq": a2.T @ grad_q.reshape(-1, d),
        "Wk": a2.T @ grad_k.reshape(-1, d),
        "Wv": a2.T @ grad_v.reshape(-1, d),
        "Wo": merged.reshape(-1, d).T @ grad_out.reshape(-1, d),
    }
    grad_a = grad_q @ p["Wq"].T + grad_k @ p["Wk"].T + grad_v @ p["Wv"].T
    return grad_a, grads


def _block_backward(
    x: np.ndarray, p: Params, n_heads: int, grad_out: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Gradients of out = h + FFN(LN2(h)), h = x + MHA(LN1(x)), given grad_out = dL/dout."""
    a = layer_norm(x, p["ln1_g"], p["ln1_b"], LN_EPS)
    h = x + multi_head_attention(
        a, p["Wq"], p["Wk"], p["Wv"], p["Wo"], n_heads, causal_mask(x.shape[1])
    )
    c = layer_norm(h, p["ln2_g"], p["ln2_b"], LN_EPS)

    g_ffn = ffn_backward(c, p["W1"], p["b1"], p["W2"], p["b2"], grad_out)
    grad_c_in, g_ln2_g, g_ln2_b = layer_norm_backward(h, p["ln2_g"], g_ffn["x"], LN_EPS)
    grad_h = grad_out + grad_c_in  # the residual passes grad_out straight through
    grad_a, g_attn = _attention_backward(a, p, n_heads, grad_h)
    grad_a_in, g_ln1_g, g_ln1_b = layer_norm_backward(x, p["ln1_g"], grad_a, LN_EPS)
    grads = {
        "ln1_g": g_ln1_g,
        "ln1_b": g_ln1_b,
        **g_attn,
        "ln2_g": g_ln2_g,
        "ln2_b": g_ln2_b,
        **{name: g_ffn[name] for name in ("W1", "b1", "W2", "b2")},
    }
    return grad_h + grad_a_in, grads


def gpt_loss_and_grads(
    tokens: np.ndarray, targets: np.ndarray, params: Params, n_heads: int
) -> tuple[float, Params]:
    """Mean cross-entropy of gpt_forward(tokens) against targets, and its gradients.

    With N = B*T positions and p = softmax(logits): dL/dlogits = (p - onehot(targets)) / N.
    The head logits = LN_f(x) W_tok^T and the embedding W_tok[tokens] both use W_tok, so its
    gradient is the sum of both contributions. W_pos rows at or beyond T get 0.
    """
    tokens = np.asarray(tokens)
    targets = np.asarray(targets)
    B, T = tokens.shape
    # forward, keeping the input of every block
    xs = [embed(tokens, params["W_tok"], params["W_pos"])]
    for p in params["blocks"]:
        xs.append(transformer_block(xs[-1], p, n_heads))
    xf = layer_norm(xs[-1], params["lnf_g"], params["lnf_b"], LN_EPS)
    logits = xf @ params["W_tok"].T  # (B, T, V)

    probs = _softmax(logits)
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    loss = float(-np.mean(np.log(picked)))

    grad_logits = probs.copy()
    np.put_along_axis(grad_logits, targets[..., None], picked[..., None] - 1.0, axis=-1)
    grad_logits /= B * T
    d = xf.shape[-1]
    grad_W_tok = grad_logits.reshape(-1, grad_logits.shape[-1]).T @ xf.reshape(-1, d)
    grad_x, grad_lnf_g, grad_lnf_b = layer_norm_backward(
        xs[-1], params["lnf_g"], grad_logits @ params["W_tok"], LN_EPS
    )
    block_grads = []
    for x, p in zip(reversed(xs[:-1]), reversed(params["blocks"]), strict=True):
        grad_x, g = _block_backward(x, p, n_heads, grad_x)
        block_grads.append(g)
    np.add.at(grad_W_tok, tokens, grad_x)  # embedding lookup: rows of the tokens used
    grad_W_pos = np.zeros_like(params["W_pos"])
    grad_W_pos[:T] = grad_x.sum(axis=0)
    grads = {
        "W_tok": grad_W_tok,
        "W_pos": grad_W_pos,
        "blocks": block_grads[::-1],
        "lnf_g": grad_lnf_g,
        "lnf_b": grad_lnf_b,
    }
    return loss, grads


def adamw_update(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step (t counts from 1), as torch.optim.AdamW:

        p <- p - lr * weight_decay * p                 decoupled decay, not part of g
        m <- beta1 m + (1 - beta1) g,  v <- beta2 v + (1 - beta2) g^2
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^t),
                                                    v_hat = v / (1 - beta2^t)
    Returns new (p, m, v); the inputs are not changed.
    """
    if t < 1:
        raise ValueError(f"the step count t starts at 1, got {t}")
    p, g, m, v = (np.asarray(a, dtype=np.float64) for a in (p, g, m, v))
    p = p * (1.0 - lr * weight_decay)
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _leaves(tree: Any) -> list[np.ndarray]:
    """Every array of a params-shaped tree, in a fixed order."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _leaves(tree[key])]
    if isinstance(tree, list):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _rebuild(tree: Any, leaves: list[np.ndarray]) -> Any:
    """A tree shaped like `tree` holding `leaves` (consumed from the front, same order)."""
    if isinstance(tree, dict):
        return {key: _rebuild(tree[key], leaves) for key in sorted(tree)}
    if isinstance(tree, list):
        return [_rebuild(item, leaves) for item in tree]
    return leaves.pop(0)


def train(
    params: Params, batches: np.ndarray, n_heads: int, lr: float, weight_decay: float = 0.01
) -> tuple[Params, list[float]]:
    """One AdamW step per batch; losses[i] is the loss of step i before its update.

    batches: int (steps, B, T+1); inputs batch[:, :-1], targets batch[:, 1:].
    """
    batches = np.asarray(batches)
    ps = [np.asarray(a, dtype=np.float64) for a in _leaves(params)]
    ms = [np.zeros_like(a) for a in ps]
    vs = [np.zeros_like(a) for a in ps]
    losses = []
    for t, batch in enumerate(batches, start=1):
        current = _rebuild(params, list(ps))
        loss, grads = gpt_loss_and_grads(batch[:, :-1], batch[:, 1:], current, n_heads)
        losses.append(loss)
        for i, g in enumerate(_leaves(grads)):
            ps[i], ms[i], vs[i] = adamw_update(
                ps[i], g, ms[i], vs[i], t, lr, weight_decay=weight_decay
            )
    return _rebuild(params, ps), losses


def generate(
    params: Params,
    prompt: np.ndarray,
    n_new: int,
    n_heads: int,
    temperature: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """The prompt followed by n_new tokens, 1-D int.

    Each step feeds the last W_pos.shape[0] tokens and reads the last position's logits.
    temperature 0: argmax (lowest index on ties). Otherwise probs = softmax(logits / T) and,
    with u = rng.random() from one rng = np.random.default_rng(seed), the first index whose
    cumulative probability exceeds u.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    tokens = [int(t) for t in np.asarray(prompt).ravel()]
    context = params["W_pos"].shape[0]
    rng = np.random.default_rng(seed)
    for _ in range(n_new):
        logits = gpt_forward(np.array([tokens[-context:]]), params, n_heads)[0, -1]
        if temperature == 0:
            tokens.append(int(np.argmax(logits)))
        else:
            cumulative = np.cumsum(_softmax(logits / temperature))
            above = np.flatnonzero(cumulative > rng.random())
            tokens.append(int(above[0]) if above.size else len(logits) - 1)
    return np.array(tokens, dtype=np.int64)
