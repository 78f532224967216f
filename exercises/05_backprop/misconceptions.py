"""Known mistakes in exercise 05, one bug each (instructor side; numpy and math only)."""

import math

import numpy as np


def _rows(x, W, grad_out):
    x, W, g = (np.asarray(a, dtype=float) for a in (x, W, grad_out))
    return x, W, g, x.reshape(-1, W.shape[0]), g.reshape(-1, W.shape[1])


def numerical_gradient_one_sided(f, x, eps=1e-5):
    """Forward differences (f(x + eps) - f(x)) / eps: an error of order eps."""
    point = np.array(x, dtype=float)
    base = float(f(point.copy()))
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        moved = point.copy()
        moved[i] += eps
        grad[i] = (float(f(moved)) - base) / eps
    return grad


def linear_backward_grad_W_transposed(x, W, grad_out):
    """grad_W = grad_out.T @ x: shape (d_out, d_in), the transpose of W's."""
    x, W, g, rows_x, rows_g = _rows(x, W, grad_out)
    return g @ W.T, rows_g.T @ rows_x, rows_g.sum(axis=0)


def linear_backward_bias_first_axis(x, W, grad_out):
    """grad_b = grad_out.sum(axis=0): right for (N, d_out), wrong for (B, T, d_out)."""
    x, W, g, rows_x, rows_g = _rows(x, W, grad_out)
    return g @ W.T, rows_x.T @ rows_g, g.sum(axis=0)


def relu_backward_wrong_side(x, grad_out):
    """Passes the gradient where x < 0 instead of where x > 0."""
    return np.asarray(grad_out, dtype=float) * (np.asarray(x, dtype=float) < 0)


def gelu_backward_without_pdf_term(x, grad_out):
    """Differentiates x·Phi(x) as Phi(x): forgets the product rule's x·phi(x) term."""
    x = np.asarray(x, dtype=float)
    cdf = 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(x / math.sqrt(2.0)))
    return np.asarray(grad_out, dtype=float) * cdf


def mlp_without_relu_gradient(x, targets, W1, b1, W2, b2):
    """Passes the hidden-layer gradient straight through ReLU, as if it were the identity."""
    x, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (x, W1, b1, W2, b2))
    t = np.asarray(targets)
    h = np.maximum(x @ W1 + b1, 0.0)
    z = h @ W2 + b2
    z = z - z.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    loss = float(-np.take_along_axis(log_p, t[..., None], axis=-1).mean())
    onehot = np.zeros_like(log_p)
    np.put_along_axis(onehot, t[..., None], 1.0, axis=-1)
    g_logits = ((np.exp(log_p) - onehot) / t.size).reshape(-1, W2.shape[1])
    rows_h = h.reshape(-1, W2.shape[0])
    rows_x = x.reshape(-1, W1.shape[0])
    g_h = g_logits @ W2.T  # the bug: no mask [x @ W1 + b1 > 0]
    return loss, {
        "W1": rows_x.T @ g_h,
        "b1": g_h.sum(axis=0),
        "W2": rows_h.T @ g_logits,
        "b2": g_logits.sum(axis=0),
    }
