"""Known training mistakes, one bug each (instructor side; numpy and math only).

The rule for this file (no imports beyond numpy and math) means the buggy `train`,
`gpt_loss_and_grads` and `generate` need a GPT of their own: the first section is a compact
correct forward and backward pass, the second the bugs built on it.
"""

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])

# --- a compact correct GPT -------------------------------------------------------------


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _ln(x, g, b):
    """LayerNorm (eps 1e-5) and what its backward needs."""
    mu = x.mean(-1, keepdims=True)
    r = 1.0 / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5)
    xh = (x - mu) * r
    return g * xh + b, (xh, r, g)


def _ln_back(cache, dy):
    xh, r, g = cache
    dxh = dy * g
    dx = r * (dxh - dxh.mean(-1, keepdims=True) - xh * (dxh * xh).mean(-1, keepdims=True))
    lead = tuple(range(dy.ndim - 1))
    return dx, (dy * xh).sum(lead), dy.sum(lead)


def _heads(a, H):
    B, T, d = a.shape
    return a.reshape(B, T, H, d // H).transpose(0, 2, 1, 3)


def _unheads(a):
    B, H, T, dh = a.shape
    return a.transpose(0, 2, 1, 3).reshape(B, T, H * dh)


def _flat(a):
    return a.reshape(-1, a.shape[-1])


def _block(x, p, H):
    """Pre-LN causal block; returns the output and a cache for _block_back."""
    T = x.shape[1]
    a, c1 = _ln(x, p["ln1_g"], p["ln1_b"])
    q, k, v = _heads(a @ p["Wq"], H), _heads(a @ p["Wk"], H), _heads(a @ p["Wv"], H)
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1])
    w = _softmax(np.where(np.tril(np.ones((T, T), dtype=bool)), s, -np.inf))
    o = _unheads(w @ v)
    h = x + o @ p["Wo"]
    c, c2 = _ln(h, p["ln2_g"], p["ln2_b"])
    z = c @ p["W1"] + p["b1"]
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    f = z * cdf
    return h + f @ p["W2"] + p["b2"], (a, c1, q, k, v, w, o, c, c2, z, cdf, f)


def _block_back(p, H, cache, dout):
    a, c1, q, k, v, w, o, c, c2, z, cdf, f = cache
    g = {"W2": _flat(f).T @ _flat(dout), "b2": _flat(dout).sum(0)}
    dz = (dout @ p["W2"].T) * (cdf + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi))
    g["W1"], g["b1"] = _flat(c).T @ _flat(dz), _flat(dz).sum(0)
    dh_ffn, g["ln2_g"], g["ln2_b"] = _ln_back(c2, dz @ p["W1"].T)
    dh = dout + dh_ffn
    g["Wo"] = _flat(o).T @ _flat(dh)
    do = _heads(dh @ p["Wo"].T, H)
    dw = do @ v.transpose(0, 1, 3, 2)
    ds = w * (dw - (dw * w).sum(-1, keepdims=True)) / math.sqrt(q.shape[-1])
    dq, dk, dv = (
        _unheads(ds @ k),
        _unheads(ds.transpose(0, 1, 3, 2) @ q),
        _unheads(w.transpose(0, 1, 3, 2) @ do),
    )
    g["Wq"], g["Wk"], g["Wv"] = (_flat(a).T @ _flat(d) for d in (dq, dk, dv))
    da = dq @ p["Wq"].T + dk @ p["Wk"].T + dv @ p["Wv"].T
    dx_attn, g["ln1_g"], g["ln1_b"] = _ln_back(c1, da)
    return dh + dx_attn, g


def _logits(tokens, params, H):
    tokens = np.asarray(tokens)
    x = params["W_tok"][tokens] + params["W_pos"][: tokens.shape[-1]]
    caches = []
    for p in params["blocks"]:
        x, cache = _block(x, p, H)
        caches.append(cache)
    xf, cf = _ln(x, params["lnf_g"], params["lnf_b"])
    return xf @ params["W_tok"].T, (tokens, caches, xf, cf)


def _loss_and_grads(tokens, targets, params, H, embedding_grad="add.at"):
    """Correct with embedding_grad="add.at"; the other choices are the bugs below."""
    logits, (tokens, caches, xf, cf) = _logits(tokens, params, H)
    targets = np.asarray(targets)
    probs = _softmax(logits)
    n = targets.size
    loss = float(-np.mean(np.log(np.take_along_axis(probs, targets[..., None], -1))))
    dlogits = probs.copy()
    np.put_along_axis(
        dlogits, targets[..., None], np.take_along_axis(probs, targets[..., None], -1) - 1.0, -1
    )
    dlogits /= n
    d_tok = _flat(dlogits).T @ _flat(xf)
    dx, g_lnf_g, g_lnf_b = _ln_back(cf, dlogits @ params["W_tok"])
    blocks = []
    for p, cache in zip(reversed(params["blocks"]), reversed(caches), strict=True):
        dx, g = _block_back(p, H, cache, dx)
        blocks.append(g)
    if embedding_grad == "add.at":
        np.add.at(d_tok, tokens, dx)
    elif embedding_grad == "fancy +=":
        d_tok[tokens] += dx  # repeated ids: only one of their contributions survives
    d_pos = np.zeros_like(params["W_pos"])
    d_pos[: tokens.shape[-1]] = dx.sum(0)
    grads = {
        "W_tok": d_tok,
        "W_pos": d_pos,
        "blocks": blocks[::-1],
        "lnf_g": g_lnf_g,
        "lnf_b": g_lnf_b,
    }
    return loss, grads


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _leaves(tree[key])]
    if isinstance(tree, list):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [np.asarray(tree, dtype=np.float64)]


def _rebuild(tree, leaves):
    if isinstance(tree, dict):
        return {key: _rebuild(tree[key], leaves) for key in sorted(tree)}
    if isinstance(tree, list):
        return [_rebuild(item, leaves) for item in tree]
    return leaves.pop(0)


def _adamw(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    p = np.asarray(p, dtype=np.float64) * (1.0 - lr * weight_decay)
    m = beta1 * np.asarray(m) + (1.0 - beta1) * np.asarray(g)
    v = beta2 * np.asarray(v) + (1.0 - beta2) * np.asarray(g) ** 2
    return p - lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps), m, v


# --- the bugs ---------------------------------------------------------------------------


def loss_and_grads_head_only(tokens, targets, params, n_heads):
    """Bug: W_tok's gradient has only the output head's part, not the embedding's."""
    return _loss_and_grads(tokens, targets, params, n_heads, embedding_grad="none")


def loss_and_grads_fancy_index(tokens, targets, params, n_heads):
    """Bug: grad_W_tok[tokens] += grad_x, which keeps one contribution per repeated id."""
    return _loss_and_grads(tokens, targets, params, n_heads, embedding_grad="fancy +=")


def adamw_l2_decay(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Bug: weight decay added to the gradient (Adam with L2), not applied to p directly."""
    g = np.asarray(g) + weight_decay * np.asarray(p)
    return _adamw(p, g, m, v, t, lr, beta1, beta2, eps, weight_decay=0.0)


def adamw_no_bias_correction(
    p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01
):
    """Bug: m and v used without dividing by (1 - beta^t)."""
    p = np.asarray(p, dtype=np.float64) * (1.0 - lr * weight_decay)
    m = beta1 * np.asarray(m) + (1.0 - beta1) * np.asarray(g)
    v = beta2 * np.asarray(v) + (1.0 - beta2) * np.asarray(g) ** 2
    return p - lr * m / (np.sqrt(v) + eps), m, v


def train_loss_after_update(params, batches, n_heads, lr, weight_decay=0.01):
    """Bug: records the batch's loss after the step's update instead of before it."""
    batches = np.asarray(batches)
    ps = _leaves(params)
    ms, vs = [np.zeros_like(a) for a in ps], [np.zeros_like(a) for a in ps]
    losses = []
    for t, batch in enumerate(batches, start=1):
        _, grads = _loss_and_grads(batch[:, :-1], batch[:, 1:], _rebuild(params, list(ps)), n_heads)
        for i, g in enumerate(_leaves(grads)):
            ps[i], ms[i], vs[i] = _adamw(ps[i], g, ms[i], vs[i], t, lr, weight_decay=weight_decay)
        loss, _ = _loss_and_grads(batch[:, :-1], batch[:, 1:], _rebuild(params, list(ps)), n_heads)
        losses.append(loss)
    return _rebuild(params, ps), losses


def _generate(params, prompt, n_new, n_heads, pick):
    """The generation loop with a token-picking rule `pick(logits) -> int`."""
    tokens = [int(t) for t in np.asarray(prompt).ravel()]
    context = np.asarray(params["W_pos"]).shape[0]
    for _ in range(n_new):
        logits = _logits(np.array([tokens[-context:]]), params, n_heads)[0][0, -1]
        tokens.append(pick(logits))
    return np.array(tokens, dtype=np.int64)


def _first_above(logits, temperature, u):
    above = np.flatnonzero(np.cumsum(_softmax(logits / temperature)) > u)
    return int(above[0]) if above.size else len(logits) - 1


def generate_argmax_always(params, prompt, n_new, n_heads, temperature=0.0, seed=0):
    """Bug: takes the argmax even when a temperature above 0 asks for sampling."""
    return _generate(params, prompt, n_new, n_heads, lambda logits: int(np.argmax(logits)))


def generate_new_rng_each_step(params, prompt, n_new, n_heads, temperature=0.0, seed=0):
    """Bug: a fresh default_rng(seed) at every step, so every step draws the same u."""

    def pick(logits):
        if temperature == 0:
            return int(np.argmax(logits))
        return _first_above(logits, temperature, np.random.default_rng(seed).random())

    return _generate(params, prompt, n_new, n_heads, pick)
