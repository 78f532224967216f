"""Exercise 06: layer normalisation over the last axis, forward and backward.

Check your work with:  gradeformer check layernorm
"""

from __future__ import annotations

import numpy as np


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Normalise every feature vector (the last axis) to mean 0 and variance 1, then scale.

        mu  = mean(x, last axis)
        var = mean((x - mu)^2, last axis)          (population variance: divide by d)
        y   = gamma * (x - mu) / sqrt(var + eps) + beta

    Shapes: x (..., d); gamma (d,); beta (d,); returns (..., d). Do not change x in place.

    Example:
        >>> layer_norm(np.array([[2.0, 4.0, 6.0, 8.0]]), np.ones(4), np.zeros(4), eps=4.0)
        array([[-1.        , -0.33333333,  0.33333333,  1.        ]])
    """
    raise NotImplementedError


def layer_norm_backward(
    x: np.ndarray, gamma: np.ndarray, grad_out: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss L through y = layer_norm(x, gamma, beta, eps).

    grad_out is dL/dy. Return (dL/dx, dL/dgamma, dL/dbeta). beta is not needed: y depends on
    it only through "+ beta". Remember that mu and var are functions of x.

    Shapes: x (..., d); gamma (d,); grad_out (..., d);
            returns grad_x (..., d), grad_gamma (d,), grad_beta (d,).

    Example:
        >>> gx, gg, gb = layer_norm_backward(np.array([[2.0, 4.0, 6.0, 8.0]]), np.ones(4),
        ...                                  np.ones((1, 4)), eps=4.0)
        >>> gb          # the sum of grad_out over every leading axis
        array([1., 1., 1., 1.])
        >>> gg          # the sum of grad_out * x_hat
        array([-1.        , -0.33333333,  0.33333333,  1.        ])
    """
    raise NotImplementedError
