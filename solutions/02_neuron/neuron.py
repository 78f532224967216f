"""Exercise 02 solution: activations, a neuron, a dense layer and a parameter count."""

import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[float])
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), written so that exp never sees a positive argument.

    With z = exp(-|x|): sigmoid(x) = 1 / (1 + z) for x >= 0 and z / (1 + z) for x < 0.
    """
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def tanh(x: np.ndarray) -> np.ndarray:
    """(e^x - e^-x) / (e^x + e^-x), via NumPy's overflow-safe np.tanh."""
    return np.tanh(np.asarray(x, dtype=float))


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU: x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))."""
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """GPT-2's approximation: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))."""
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))


def identity(x: np.ndarray) -> np.ndarray:
    """x itself: a layer with no activation."""
    return np.asarray(x, dtype=float)


ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "gelu": gelu, "identity": identity}


def _activation(name: str):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def neuron(x: np.ndarray, w: np.ndarray, b: float, activation: str = "relu") -> float:
    """f(w · x + b) for one neuron."""
    f = _activation(activation)
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"x and w must be vectors of the same length, got {x.shape} and {w.shape}")
    return float(f(np.sum(w * x) + b))


def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "relu") -> np.ndarray:
    """f(x @ W + b) for x (..., d_in), W (d_in, d_out), b (d_out,)."""
    f = _activation(activation)
    x, W, b = (np.asarray(a, dtype=float) for a in (x, W, b))
    if W.ndim != 2 or x.shape[-1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(
            f"need x (..., d_in), W (d_in, d_out), b (d_out,); got {x.shape}, {W.shape}, {b.shape}"
        )
    return f(x @ W + b)


def count_parameters(layer_sizes: list[int]) -> int:
    """Weights plus biases: sum over consecutive sizes (n_in, n_out) of n_in * n_out + n_out."""
    total = 0
    for i in range(len(layer_sizes) - 1):
        n_in, n_out = layer_sizes[i], layer_sizes[i + 1]
        total += n_in * n_out + n_out
    return total
