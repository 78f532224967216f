"""Exercise 05 solution: numerical gradients and the backward pass of a small MLP.

Uses my cross-entropy from exercise 04.
"""

import math
from collections.abc import Callable

import numpy as np
from cross_entropy import cross_entropy, cross_entropy_grad

_erf = np.vectorize(math.erf, otypes=[float])


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one entry at a time."""
    point = np.array(x, dtype=float)  # a copy: the caller's x is never changed
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        original = point[i]
        point[i] = original + eps
        f_plus = float(f(point.copy()))
        point[i] = original - eps
        f_minus = float(f(point.copy()))
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def linear_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For y = x @ W + b: dL/dx = g @ W.T, dL/dW = x.T @ g, dL/db = g summed over batch dims."""
    x, W, grad_out = (np.asarray(a, dtype=float) for a in (x, W, grad_out))
    if W.ndim != 2 or x.shape[-1] != W.shape[0] or grad_out.shape != x.shape[:-1] + W.shape[1:]:
        raise ValueError(
            f"need x (..., d_in), W (d_in, d_out), grad_out (..., d_out); "
            f"got {x.shape}, {W.shape}, {grad_out.shape}"
        )
    rows_x = x.reshape(-1, W.shape[0])  # every batch position is one row
    rows_g = grad_out.reshape(-1, W.shape[1])
    grad_x = grad_out @ W.T
    grad_W = rows_x.T @ rows_g
    grad_b = rows_g.sum(axis=0)
    return grad_x, grad_W, grad_b


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx = grad_out where x > 0, else 0 (the slope at 0 is taken as 0)."""
    return np.asarray(grad_out, dtype=float) * (np.asarray(x, dtype=float) > 0)


def gelu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """d/dx [x Phi(x)] = Phi(x) + x phi(x) (product rule), times grad_out."""
    x = np.asarray(x, dtype=float)
    cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return np.asarray(grad_out, dtype=float) * (cdf + x * pdf)


def mlp_loss_and_grads(
    x: np.ndarray,
    targets: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of logits = relu(x @ W1 + b1) @ W2 + b2 under mean cross-entropy."""
    x, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (x, W1, b1, W2, b2))
    h_pre = x @ W1 + b1
    h = np.maximum(h_pre, 0.0)
    logits = h @ W2 + b2
    loss = cross_entropy(logits, targets)

    grad_logits = cross_entropy_grad(logits, targets)
    grad_h, grad_W2, grad_b2 = linear_backward(h, W2, grad_logits)
    grad_h_pre = relu_backward(h_pre, grad_h)
    _, grad_W1, grad_b1 = linear_backward(x, W1, grad_h_pre)
    return loss, {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}
