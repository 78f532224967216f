r"""A neuron, a dense (fully connected) layer, and the backward pass of a linear layer.

Row-vector convention (as in PyTorch and GPT-2): an input x has shape (..., d_in), a weight
W has shape (d_in, d_out), and the layer computes y = x W + b.

Backward of y = x W + b, with G = ∂L/∂y of shape (..., d_out) and every leading axis
flattened into one batch axis of N rows:

    ∂L/∂x = G Wᵀ                (..., d_in)
    ∂L/∂W = xᵀ G                (d_in, d_out)  -- summed over the N rows
    ∂L/∂b = Σ_rows G            (d_out,)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import activate
from reference.checks import as_float, require


def neuron(x: ArrayLike, w: ArrayLike, b: float, activation: str = "relu") -> float:
    """One neuron: f(w · x + b) for vectors x, w of the same length."""
    x, w = as_float(x), as_float(w)
    require(
        x.ndim == 1 and x.shape == w.shape,
        f"neuron needs x and w of the same length, got shapes {x.shape} and {w.shape}",
    )
    require(np.ndim(b) == 0, f"neuron's bias b must be a number, got shape {np.shape(b)}")
    return float(activate(x @ w + float(b), activation))


def linear(x: ArrayLike, W: ArrayLike, b: ArrayLike) -> np.ndarray:
    """y = x W + b for x (..., d_in), W (d_in, d_out), b (d_out,)."""
    x, W, b = as_float(x), as_float(W), as_float(b)
    require(
        x.ndim >= 1 and W.ndim == 2 and x.shape[-1] == W.shape[0] and b.shape == (W.shape[1],),
        f"linear layer needs x (..., d_in), W (d_in, d_out), b (d_out,), "
        f"got x {x.shape}, W {W.shape}, b {b.shape}",
    )
    return x @ W + b  # (..., d_out)


def dense(x: ArrayLike, W: ArrayLike, b: ArrayLike, activation: str = "relu") -> np.ndarray:
    """A dense layer: f(x W + b), f one of relu, sigmoid, tanh, gelu, identity."""
    return activate(linear(x, W, b), activation)


def count_parameters(layer_sizes: Sequence[int]) -> int:
    """Weights and biases of an MLP with these layer widths: Σ_l (n_l · n_{l+1} + n_{l+1}).

    E.g. [3, 5, 5, 2] has (3·5 + 5) + (5·5 + 5) + (5·2 + 2) = 20 + 30 + 12 = 62.
    """
    sizes = [int(n) for n in layer_sizes]
    require(len(sizes) >= 1, "count_parameters needs at least one layer size")
    require(all(n > 0 for n in sizes), f"layer sizes must be positive, got {sizes}")
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


def linear_backward(
    x: ArrayLike, W: ArrayLike, grad_out: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (∂L/∂x, ∂L/∂W, ∂L/∂b) of y = x W + b given grad_out = ∂L/∂y."""
    x, W, grad_out = as_float(x), as_float(W), as_float(grad_out)
    require(
        W.ndim == 2
        and x.shape[-1:] == W.shape[:1]
        and grad_out.shape == x.shape[:-1] + W.shape[1:],
        f"linear_backward needs x (..., d_in), W (d_in, d_out), grad_out (..., d_out), "
        f"got x {x.shape}, W {W.shape}, grad_out {grad_out.shape}",
    )
    rows_x = x.reshape(-1, W.shape[0])  # (N, d_in)
    rows_g = grad_out.reshape(-1, W.shape[1])  # (N, d_out)
    grad_x = grad_out @ W.T  # (..., d_in)
    grad_W = rows_x.T @ rows_g  # (d_in, d_out)
    grad_b = rows_g.sum(axis=0)  # (d_out,)
    return grad_x, grad_W, grad_b
