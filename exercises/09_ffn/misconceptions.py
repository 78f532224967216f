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


def ffn_backward_b1_first_axis(x, W1, b1, W2, b2, grad_out):
    """Bug: b1's gradient summed over axis 0 only, not over every leading axis."""
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    z = x @ W1 + b1
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    h = z * cdf
    grad_z = (grad_out @ W2.T) * (cdf + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi))
    lead_x, lead_h = x.reshape(-1, x.shape[-1]), h.reshape(-1, h.shape[-1])
    g, gz = grad_out.reshape(-1, grad_out.shape[-1]), grad_z.reshape(-1, grad_z.shape[-1])
    return {
        "x": grad_z @ W1.T,
        "W1": lead_x.T @ gz,
        "b1": grad_z.sum(axis=0),
        "W2": lead_h.T @ g,
        "b2": g.sum(axis=0),
    }
