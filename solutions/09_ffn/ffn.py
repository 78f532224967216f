"""The position-wise feed-forward network of a transformer block, forward and backward."""

from __future__ import annotations

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu(z: np.ndarray) -> np.ndarray:
    """Exact GELU: z * Phi(z), Phi(z) = (1 + erf(z / sqrt(2))) / 2."""
    return z * 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _gelu_derivative(z: np.ndarray) -> np.ndarray:
    """d/dz [z Phi(z)] = Phi(z) + z phi(z), phi the standard normal density."""
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0))) + z * phi


def ffn(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """out = gelu(x W1 + b1) W2 + b2.

    x (..., d_model), W1 (d_model, d_ff), b1 (d_ff,), W2 (d_ff, d_model), b2 (d_model,).
    """
    x = np.asarray(x, dtype=np.float64)
    return _gelu(x @ W1 + b1) @ W2 + b2


def ffn_backward(
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    grad_out: np.ndarray,
) -> dict[str, np.ndarray]:
    """Gradients of L through out = ffn(x, ...), given grad_out = dL/dout (..., d_model).

    With z = x W1 + b1 and h = gelu(z), over all leading positions:
        dW2 = h^T grad_out,  db2 = sum grad_out,  dh = grad_out W2^T,  dz = dh * gelu'(z),
        dW1 = x^T dz,        db1 = sum dz,        dx = dz W1^T.
    """
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    z = x @ W1 + b1
    h = _gelu(z)
    # flatten the leading axes so the weight gradients are plain matrix products
    x2, z2, h2 = x.reshape(-1, x.shape[-1]), z.reshape(-1, z.shape[-1]), h.reshape(-1, h.shape[-1])
    g2 = grad_out.reshape(-1, grad_out.shape[-1])
    grad_z = (g2 @ W2.T) * _gelu_derivative(z2)
    return {
        "x": (grad_z @ W1.T).reshape(x.shape),
        "W1": x2.T @ grad_z,
        "b1": grad_z.sum(axis=0),
        "W2": h2.T @ g2,
        "b2": g2.sum(axis=0),
    }


def ffn_parameter_count(d_model: int, d_ff: int) -> int:
    """Weights and biases of both layers: d_model*d_ff + d_ff + d_ff*d_model + d_model."""
    if d_model < 1 or d_ff < 1:
        raise ValueError(f"d_model and d_ff must be positive, got {d_model} and {d_ff}")
    return d_model * d_ff + d_ff + d_ff * d_model + d_model
