"""Every backward pass against central differences (float64, relative error < 1e-6).

Each test draws random inputs with batch dimensions, picks a random upstream gradient G and
checks the analytic gradient of the scalar L = Σ forward(inputs) ⊙ G against the numerical
one, input by input, with the shared ``gradcheck`` fixture.
"""

import numpy as np
import pytest

import reference as R
from reference.activations import gelu_tanh_backward, sigmoid_backward, tanh_backward


def scalar(forward, G):
    """L(output) = Σ output ⊙ G, whose gradient with respect to the output is G."""
    return lambda *args: float(np.sum(forward(*args) * G))


@pytest.mark.parametrize(
    ("forward", "backward"),
    [
        (R.relu, R.relu_backward),
        (R.sigmoid, sigmoid_backward),
        (R.tanh, tanh_backward),
        (R.gelu, R.gelu_backward),
        (R.gelu_tanh, gelu_tanh_backward),
    ],
    ids=["relu", "sigmoid", "tanh", "gelu", "gelu_tanh"],
)
@pytest.mark.parametrize("lead", [(), (3,), (2, 3)], ids=str)
def test_activation_backward(forward, backward, lead, rng, gradcheck):
    x = rng.normal(size=(*lead, 4)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU's kink away from the finite differences
    G = rng.normal(size=x.shape)
    gradcheck(scalar(forward, G), x, backward(x, G))


@pytest.mark.parametrize("lead", [(), (3,), (2, 3)], ids=str)
def test_linear_backward(lead, rng, gradcheck):
    x, W, b = rng.normal(size=(*lead, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    G = rng.normal(size=(*lead, 5))
    grad_x, grad_W, grad_b = R.linear_backward(x, W, G)
    gradcheck(lambda x_: np.sum(R.linear(x_, W, b) * G), x, grad_x)
    gradcheck(lambda W_: np.sum(R.linear(x, W_, b) * G), W, grad_W)
    gradcheck(lambda b_: np.sum(R.linear(x, W, b_) * G), b, grad_b)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_backward(axis, rng, gradcheck):
    x = rng.normal(size=(3, 4, 5)) * 3
    G = rng.normal(size=x.shape)
    s = R.softmax(x, axis=axis)
    gradcheck(scalar(lambda z: R.softmax(z, axis=axis), G), x, R.softmax_backward(s, G, axis))
    ls = R.log_softmax(x, axis=axis)
    gradcheck(
        scalar(lambda z: R.log_softmax(z, axis=axis), G), x, R.log_softmax_backward(ls, G, axis)
    )


def test_cross_entropy_grad(rng, gradcheck):
    logits = rng.normal(size=(2, 3, 6)) * 2
    targets = rng.integers(0, 6, size=(2, 3))
    gradcheck(lambda z: R.cross_entropy(z, targets), logits, R.cross_entropy_grad(logits, targets))


def test_mlp_loss_and_grads(rng, gradcheck):
    x = rng.normal(size=(5, 4))
    targets = rng.integers(0, 3, size=5)
    W1, b1 = rng.normal(size=(4, 6)), rng.normal(size=6) * 0.1
    W2, b2 = rng.normal(size=(6, 3)), rng.normal(size=3) * 0.1
    loss, grads = R.mlp_loss_and_grads(x, targets, W1, b1, W2, b2)
    assert isinstance(loss, float) and set(grads) == {"W1", "b1", "W2", "b2"}
    args = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for name in args:

        def f(value, name=name):
            return R.mlp_loss_and_grads(x, targets, **{**args, name: value})[0]

        gradcheck(f, args[name], grads[name])


@pytest.mark.parametrize("lead", [(), (3,), (2, 3)], ids=str)
def test_layer_norm_backward(lead, rng, gradcheck):
    x = rng.normal(size=(*lead, 5)) * 2 + 1
    gamma, beta = rng.normal(size=5), rng.normal(size=5)
    G = rng.normal(size=x.shape)
    grad_x, grad_gamma, grad_beta = R.layer_norm_backward(x, gamma, G)
    gradcheck(lambda x_: np.sum(R.layer_norm(x_, gamma, beta) * G), x, grad_x)
    gradcheck(lambda g_: np.sum(R.layer_norm(x, g_, beta) * G), gamma, grad_gamma)
    gradcheck(lambda b_: np.sum(R.layer_norm(x, gamma, b_) * G), beta, grad_beta)


@pytest.mark.parametrize("masked", [False, True], ids=["no mask", "causal"])
def test_scaled_dot_product_attention_backward(masked, rng, gradcheck):
    q, k, v = (
        rng.normal(size=(2, 3, 4, 5)),
        rng.normal(size=(2, 3, 4, 5)),
        rng.normal(size=(2, 3, 4, 6)),
    )
    mask = R.causal_mask(4) if masked else None
    G = rng.normal(size=(2, 3, 4, 6))
    _, weights = R.scaled_dot_product_attention(q, k, v, mask)
    grads = R.scaled_dot_product_attention_backward(q, k, v, weights, G)
    out = {
        "q": lambda a: R.scaled_dot_product_attention(a, k, v, mask)[0],
        "k": lambda a: R.scaled_dot_product_attention(q, a, v, mask)[0],
        "v": lambda a: R.scaled_dot_product_attention(q, k, a, mask)[0],
    }
    for f, x, grad in zip(out.values(), (q, k, v), grads, strict=True):
        gradcheck(scalar(f, G), x, grad)


def test_multi_head_attention_backward(rng, gradcheck):
    d, H = 6, 3
    x = rng.normal(size=(2, 4, d))
    Ws = {name: rng.normal(size=(d, d)) * 0.5 for name in ("Wq", "Wk", "Wv", "Wo")}
    mask = R.causal_mask(4)
    G = rng.normal(size=(2, 4, d))
    grads = R.multi_head_attention_backward(x, *Ws.values(), H, mask, G)
    gradcheck(lambda a: np.sum(R.multi_head_attention(a, *Ws.values(), H, mask) * G), x, grads["x"])
    for name in Ws:

        def f(value, name=name):
            return np.sum(
                R.multi_head_attention(x, **{**Ws, name: value}, n_heads=H, mask=mask) * G
            )

        gradcheck(f, Ws[name], grads[name])


def test_ffn_backward(rng, gradcheck):
    args = {
        "x": rng.normal(size=(2, 3, 4)),
        "W1": rng.normal(size=(4, 8)),
        "b1": rng.normal(size=8),
        "W2": rng.normal(size=(8, 4)),
        "b2": rng.normal(size=4),
    }
    G = rng.normal(size=(2, 3, 4))
    grads = R.ffn_backward(**args, grad_out=G)
    assert set(grads) == set(args)
    for name in args:

        def f(value, name=name):
            return np.sum(R.ffn(**{**args, name: value}) * G)

        gradcheck(f, args[name], grads[name])


def small_params(rng, vocab=7, d=6, n_layers=2, d_ff=10, context=5):
    """Tiny random parameters with non-trivial LayerNorm gains and biases."""
    params = R.init_params(vocab, d, n_layers, 2, d_ff, context, seed=int(rng.integers(1000)))
    for block in params["blocks"]:
        for key in block:
            block[key] = block[key] + rng.normal(size=block[key].shape) * 0.3
    params["W_tok"] = params["W_tok"] * 20
    params["W_pos"] = params["W_pos"] * 20
    params["lnf_g"] = params["lnf_g"] + rng.normal(size=d) * 0.3
    params["lnf_b"] = rng.normal(size=d) * 0.3
    return params


def test_transformer_block_backward(rng, gradcheck):
    p = small_params(rng)["blocks"][0]
    x = rng.normal(size=(2, 4, 6))
    G = rng.normal(size=x.shape)
    grad_x, grads = R.transformer_block_backward(x, p, 2, G)
    assert set(grads) == set(p)
    gradcheck(lambda a: np.sum(R.transformer_block(a, p, 2) * G), x, grad_x)
    for name in p:

        def f(value, name=name):
            return np.sum(R.transformer_block(x, {**p, name: value}, 2) * G)

        gradcheck(f, p[name], grads[name])


def test_embed_backward(rng, gradcheck):
    W_tok, W_pos = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    tokens = np.array([[1, 1, 4], [0, 6, 1]])  # a repeated id, T = 3 < context 5
    G = rng.normal(size=(2, 3, 3))
    grad_tok, grad_pos = R.embed_backward(tokens, W_tok, W_pos, G)
    gradcheck(lambda a: np.sum(R.embed(tokens, a, W_pos) * G), W_tok, grad_tok)
    gradcheck(lambda a: np.sum(R.embed(tokens, W_tok, a) * G), W_pos, grad_pos)
    np.testing.assert_array_equal(grad_pos[3:], 0.0)


def test_whole_gpt_gradient(rng, gradcheck):
    params = small_params(rng)
    tokens = rng.integers(0, 7, size=(2, 4))
    targets = rng.integers(0, 7, size=(2, 4))
    loss, grads = R.gpt_loss_and_grads(tokens, targets, params, 2)
    assert loss == pytest.approx(R.cross_entropy(R.gpt_forward(tokens, params, 2), targets))
    flat, flat_grads = R.training.flatten(params), R.training.flatten(grads)
    assert set(flat) == set(flat_grads)
    for name, value in flat.items():
        assert flat_grads[name].shape == value.shape, name

        def f(v, name=name):
            changed = R.training.unflatten({**flat, name: v})
            return R.cross_entropy(R.gpt_forward(tokens, changed, 2), targets)

        gradcheck(f, value, flat_grads[name])
    np.testing.assert_array_equal(grads["W_pos"][4:], 0.0)  # rows beyond T = 4


def test_gpt_backward_matches_loss_and_grads(rng):
    params = small_params(rng)
    tokens, targets = rng.integers(0, 7, size=(2, 4)), rng.integers(0, 7, size=(2, 4))
    _, grads = R.gpt_loss_and_grads(tokens, targets, params, 2)
    logits = R.gpt_forward(tokens, params, 2)
    other = R.gpt_backward(tokens, params, 2, R.cross_entropy_grad(logits, targets))
    for name, value in R.training.flatten(grads).items():
        np.testing.assert_allclose(R.training.flatten(other)[name], value, rtol=1e-12, atol=1e-15)
