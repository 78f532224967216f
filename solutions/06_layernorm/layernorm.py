"""Layer normalisation over the last axis, forward and backward."""

from __future__ import annotations

import numpy as np


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """y = gamma * (x - mu) / sqrt(var + eps) + beta, mu and var over the last axis.

    var is the population variance: mean((x - mu)^2), dividing by d, not d - 1.
    x: (..., d); gamma, beta: (d,); returns (..., d).
    """
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return np.asarray(gamma) * x_hat + np.asarray(beta)


def layer_norm_backward(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of L w.r.t. x, gamma and beta, given grad_out = dL/dy.

    With x_hat = (x - mu) * r, r = 1 / sqrt(var + eps) and g = grad_out * gamma:
        dL/dx     = r * (g - mean(g) - x_hat * mean(g * x_hat))   (means over the last axis)
        dL/dgamma = sum over every leading axis of grad_out * x_hat
        dL/dbeta  = sum over every leading axis of grad_out
    """
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    r = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * r
    g = grad_out * np.asarray(gamma)
    grad_x = r * (
        g - g.mean(axis=-1, keepdims=True) - x_hat * (g * x_hat).mean(axis=-1, keepdims=True)
    )
    leading = tuple(range(x.ndim - 1))
    grad_gamma = (grad_out * x_hat).sum(axis=leading)
    grad_beta = grad_out.sum(axis=leading)
    return grad_x, grad_gamma, grad_beta
