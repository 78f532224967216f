"""The reference against PyTorch in float64, to 1e-10 relative (skipped without torch)."""

import numpy as np
import pytest

import reference as R

torch = pytest.importorskip("torch", reason="torch is the independent oracle for these checks")
F = torch.nn.functional
pytestmark = pytest.mark.torch

RTOL, ATOL = 1e-10, 1e-13


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=atol)


def test_softmax_log_softmax_cross_entropy(rng):
    x = rng.normal(size=(3, 4, 7)) * 5
    for axis in (-1, 0, 1):
        close(R.softmax(x, axis=axis), torch.softmax(t(x), dim=axis))
        close(R.log_softmax(x, axis=axis), torch.log_softmax(t(x), dim=axis))
    close(R.softmax(x, temperature=0.7), torch.softmax(t(x) / 0.7, dim=-1))
    big = rng.normal(size=(4, 5)) * 1e4
    close(R.softmax(big), torch.softmax(t(big), dim=-1))
    close(R.log_softmax(big), torch.log_softmax(t(big), dim=-1))

    targets = rng.integers(0, 7, size=(3, 4))
    logits = t(x, grad=True)
    loss = F.cross_entropy(logits.reshape(-1, 7), torch.tensor(targets.reshape(-1)))
    loss.backward()
    assert R.cross_entropy(x, targets) == pytest.approx(loss.item(), rel=RTOL)
    close(R.cross_entropy_grad(x, targets), logits.grad)


def test_layer_norm_and_gelu(rng):
    x = rng.normal(size=(2, 3, 8)) * 3 + 1
    gamma, beta = rng.normal(size=8), rng.normal(size=8)
    close(R.layer_norm(x, gamma, beta), F.layer_norm(t(x), (8,), t(gamma), t(beta), eps=1e-5))
    z = np.linspace(-12, 12, 2401)
    close(R.gelu(z), F.gelu(t(z)))
    close(R.gelu_tanh(z), F.gelu(t(z), approximate="tanh"))
    for kind, ours in (("none", R.gelu_backward), ("tanh", R.activations.gelu_tanh_backward)):
        zt = t(z, grad=True)
        F.gelu(zt, approximate=kind).sum().backward()
        close(ours(z, np.ones_like(z)), zt.grad)


def test_sdpa_with_causal_mask_and_mha(rng):
    q, k, v = (rng.normal(size=(2, 3, 5, 4)) for _ in range(3))
    mask = R.causal_mask(5)
    out, weights = R.scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=torch.tensor(mask))
    close(out, expected)
    assert np.all(weights[..., ~mask] == 0.0)

    d, H = 8, 2
    x = rng.normal(size=(2, 5, d))
    Ws = [rng.normal(size=(d, d)) * 0.4 for _ in range(4)]
    mha = torch.nn.MultiheadAttention(d, H, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # torch's weights act on column vectors: W_torch = Wᵀ
        mha.in_proj_weight.copy_(torch.cat([t(W).T for W in Ws[:3]]))
        mha.out_proj.weight.copy_(t(Ws[3]).T)
    xt = t(x)
    expected, _ = mha(xt, xt, xt, attn_mask=torch.tensor(~mask), need_weights=False)
    close(R.multi_head_attention(x, *Ws, H, mask), expected)


def test_adamw_several_steps_with_weight_decay(rng):
    p0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(5)]
    param = t(p0, grad=True)
    opt = torch.optim.AdamW([param], lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    p, m, v = p0, np.zeros_like(p0), np.zeros_like(p0)
    for step, g in enumerate(grads, start=1):
        param.grad = t(g)
        opt.step()
        p, m, v = R.adamw_update(p, g, m, v, step, 0.05, 0.8, 0.99, 1e-6, 0.1)
        close(p, param)


def torch_gpt_loss(tokens, targets, params, n_heads):
    """The same GPT written with torch operations, for autograd to differentiate."""
    T = tokens.shape[-1]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = params["W_tok"][torch.tensor(tokens)] + params["W_pos"][:T]
    for p in params["blocks"]:
        d = x.shape[-1]
        a = F.layer_norm(x, (d,), p["ln1_g"], p["ln1_b"], eps=1e-5)
        heads = [
            (a @ p[W]).unflatten(-1, (n_heads, -1)).transpose(-2, -3) for W in ("Wq", "Wk", "Wv")
        ]
        att = F.scaled_dot_product_attention(*heads, attn_mask=mask)
        x = x + att.transpose(-2, -3).flatten(-2) @ p["Wo"]
        c = F.layer_norm(x, (d,), p["ln2_g"], p["ln2_b"], eps=1e-5)
        x = x + F.gelu(c @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    x = F.layer_norm(x, (x.shape[-1],), params["lnf_g"], params["lnf_b"], eps=1e-5)
    logits = x @ params["W_tok"].T
    return F.cross_entropy(logits.flatten(0, 1), torch.tensor(targets).flatten())


def test_whole_tiny_gpt_gradient(rng):
    params = R.init_params(11, 8, 2, 2, 16, 6, seed=3)
    for block in params["blocks"]:  # move away from the initial 1s and 0s
        for key in block:
            block[key] = block[key] + rng.normal(size=block[key].shape) * 0.2
    tokens, targets = rng.integers(0, 11, size=(3, 6)), rng.integers(0, 11, size=(3, 6))
    loss, grads = R.gpt_loss_and_grads(tokens, targets, params, 2)

    flat = R.training.flatten(params)
    leaves = {name: t(value, grad=True) for name, value in flat.items()}
    torch_loss = torch_gpt_loss(tokens, targets, R.training.unflatten(leaves), 2)
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=RTOL)
    for name, value in R.training.flatten(grads).items():
        close(value, leaves[name].grad)


def test_train_matches_torch_adamw_on_the_gpt(rng):
    params = R.init_params(11, 8, 1, 2, 16, 6, seed=4)
    batches = rng.integers(0, 11, size=(3, 2, 7))
    _, losses = R.train(params, batches, 2, lr=0.01, weight_decay=0.1)

    leaves = {name: t(value, grad=True) for name, value in R.training.flatten(params).items()}
    opt = torch.optim.AdamW(list(leaves.values()), lr=0.01, weight_decay=0.1)
    for batch, ours in zip(batches, losses, strict=True):
        opt.zero_grad()
        loss = torch_gpt_loss(batch[:, :-1], batch[:, 1:], R.training.unflatten(leaves), 2)
        assert ours == pytest.approx(loss.item(), rel=RTOL)
        loss.backward()
        opt.step()
