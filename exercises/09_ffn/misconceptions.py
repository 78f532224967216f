"""Known FFN mistakes, one bug each (instructor side; numpy and math only)."""

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


def ffn_tanh_gelu(x, W1, b1, W2, b2):
    """Bug: the tanh approximation of GELU instead of the exact x * Phi(x)."""
    z = np.asarray(x, dtype=np.float64) @ W1 + b1
    h = 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z**3)))
    return h @ W2 + b2


def ffn_relu(x, W1, b1, W2, b2):
    """Bug: ReLU instead of GELU."""
    z = np.asarray(x, dtype=np.float64) @ W1 + b1
    return np.maximum(z, 0.0) @ W2 + b2


def ffn_parameter_count_no_biases(d_model, d_ff):
    """Bug: counts the two weight matrices only."""
    return 2 * d_model * d_ff


def _ffn_backward(x, W1, b1, W2, b2, grad_out, gelu_grad, sum_b1):
    """The FFN backward pass with a chosen GELU derivative and b1 reduction."""
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    z = x @ W1 + b1
    h = z * 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    grad_z = (grad_out @ W2.T) * gelu_grad(z)
    x2, h2 = x.reshape(-1, x.shape[-1]), h.reshape(-1, h.shape[-1])
    g2, gz2 = grad_out.reshape(-1, grad_out.shape[-1]), grad_z.reshape(-1, grad_z.shape[-1])
    return {
        "x": grad_z @ W1.T,
        "W1": x2.T @ gz2,
        "b1": sum_b1(grad_z),
        "W2": h2.T @ g2,
        "b2": g2.sum(axis=0),
    }


def _gelu_grad(z):
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    return cdf + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _gelu_grad_cdf_only(z):
    """Bug: d/dz [z Phi(z)] taken as Phi(z), forgetting the product rule's z phi(z)."""
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _sum_leading(g):
    return g.reshape(-1, g.shape[-1]).sum(axis=0)


def ffn_backward_b1_first_axis(x, W1, b1, W2, b2, grad_out):
    """Bug: b1's gradient summed over axis 0 only, not over every leading axis."""
    return _ffn_backward(x, W1, b1, W2, b2, grad_out, _gelu_grad, lambda g: g.sum(axis=0))


def ffn_backward_gelu_grad_cdf_only(x, W1, b1, W2, b2, grad_out):
    """Bug: GELU's derivative taken as Phi(z) instead of Phi(z) + z phi(z)."""
    return _ffn_backward(x, W1, b1, W2, b2, grad_out, _gelu_grad_cdf_only, _sum_leading)
