"""Known LayerNorm mistakes, one bug each (instructor side; numpy only, self-contained)."""

import numpy as np


def layer_norm_ddof1(x, gamma, beta, eps=1e-5):
    """Bug: sample variance (divides by d - 1) instead of the population variance."""
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layer_norm_eps_outside(x, gamma, beta, eps=1e-5):
    """Bug: eps added to the standard deviation instead of the variance."""
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    return gamma * (x - mu) / (std + eps) + beta


def layer_norm_batch_axis(x, gamma, beta, eps=1e-5):
    """Bug: statistics over the batch axis (axis 0), as BatchNorm does."""
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layer_norm_backward_constant_stats(x, gamma, grad_out, eps=1e-5):
    """Bug: treats mu and sigma as constants, so dL/dx = grad_out * gamma / sigma."""
    x = np.asarray(x, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    r = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    x_hat = (x - mu) * r
    leading = tuple(range(x.ndim - 1))
    return grad_out * gamma * r, (grad_out * x_hat).sum(axis=leading), grad_out.sum(axis=leading)
