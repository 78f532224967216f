"""Exercise 05: backpropagation by the chain rule, checked by finite differences.

You may import your own earlier exercises, e.g.
`from cross_entropy import cross_entropy, cross_entropy_grad`.
"""

import numpy as np


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """The gradient of a scalar function f at x, by central differences:

        grad[i] = (f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)

    e_i is 1 at index i and 0 elsewhere. f takes an array shaped like x and returns a float.
    Shapes: x any -> same shape as x. Do not change the caller's x.

    >>> numerical_gradient(lambda a: float(np.sum(a**2)), np.array([3.0]))   # d/dx x² = 2x
    array([6.])
    """
    raise NotImplementedError


def linear_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of y = x @ W + b, given grad_out = dL/dy:

        grad_x = grad_out @ W.T
        grad_W = sum over every batch position of x[n]ᵀ grad_out[n]   (x.T @ grad_out in 2-D)
        grad_b = grad_out summed over every batch dimension

    Shapes: x (..., d_in), W (d_in, d_out), grad_out (..., d_out)
    -> (grad_x (..., d_in), grad_W (d_in, d_out), grad_b (d_out,)).
    Raise ValueError when the shapes do not fit.

    >>> gx, gW, gb = linear_backward(np.array([[1.0, 2.0]]), np.eye(2), np.array([[1.0, -1.0]]))
    >>> gW
    array([[ 1., -1.],
           [ 2., -2.]])
    """
    raise NotImplementedError


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """Backward pass of y = relu(x): dL/dx = grad_out where x > 0, else 0 (also at x = 0).

    Shapes: x and grad_out alike -> the same shape.

    >>> relu_backward(np.array([-1.0, 0.0, 2.0]), np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """
    raise NotImplementedError


def gelu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """Backward pass of the exact GELU y = x·Phi(x):

        dL/dx = grad_out · (Phi(x) + x·phi(x)),   phi(x) = exp(-x²/2) / sqrt(2 pi)

    Shapes: x and grad_out alike -> the same shape.

    >>> gelu_backward(np.array([0.0]), np.array([1.0]))   # Phi(0) + 0 = 0.5
    array([0.5])
    """
    raise NotImplementedError


def mlp_loss_and_grads(
    x: np.ndarray,
    targets: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of a two-layer classifier:

        logits = relu(x @ W1 + b1) @ W2 + b2,   loss = mean cross-entropy(logits, targets)

    Shapes: x (..., d_in), targets (...) of int class ids, W1 (d_in, h), b1 (h,),
    W2 (h, C), b2 (C,) -> (loss as a float, {"W1", "b1", "W2", "b2"}: gradients shaped like
    the parameters).

    >>> loss, grads = mlp_loss_and_grads(np.zeros((1, 2)), np.array([0]), np.zeros((2, 3)),
    ...                                  np.zeros(3), np.zeros((3, 2)), np.zeros(2))
    >>> round(loss, 4), grads["b2"]   # log 2; softmax [0.5, 0.5] - onehot [1, 0]
    (0.6931, array([-0.5,  0.5]))
    """
    raise NotImplementedError
