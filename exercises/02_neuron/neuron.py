"""Exercise 02: activation functions, one neuron, a dense layer, counting parameters.

Every activation works elementwise on an array of any shape and returns a float64 array.
"""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """ReLU(x) = max(x, 0).

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    raise NotImplementedError


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + exp(-x)), in (0, 1); finite and warning-free for x = ±1000.

    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    raise NotImplementedError


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), in (-1, 1); finite for x = ±1000.

    >>> tanh(np.array([0.0, 1000.0]))
    array([0., 1.])
    """
    raise NotImplementedError


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU: x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))).

    Phi is the standard normal CDF; math.erf gives erf for one number.

    >>> gelu(np.array([0.0, 1.0]))
    array([0.        , 0.84134475])
    """
    raise NotImplementedError


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """The tanh approximation of GELU (GPT-2):

    0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))

    >>> gelu_tanh(np.array([0.0, 1.0]))
    array([0.        , 0.84119199])
    """
    raise NotImplementedError


def neuron(x: np.ndarray, w: np.ndarray, b: float, activation: str = "relu") -> float:
    """One neuron: f(w · x + b) as a Python float.

    Shapes: x (n,), w (n,), b a number. `activation` is one of "relu", "sigmoid", "tanh",
    "gelu", "identity"; any other name raises ValueError.

    >>> neuron(np.array([0.5, 0.9, 0.2]), np.array([1.2, 0.8, -0.3]), 0.1)   # 1.36
    1.36
    """
    raise NotImplementedError


def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "relu") -> np.ndarray:
    """A dense (fully connected) layer: f(x @ W + b), f applied elementwise.

    Shapes: x (..., d_in), W (d_in, d_out), b (d_out,) -> (..., d_out). Same activation
    names as `neuron`; an unknown name raises ValueError.

    >>> dense(np.array([[1.0, 2.0]]), np.array([[1.0], [-1.0]]), np.array([0.5]), "identity")
    array([[-0.5]])
    """
    raise NotImplementedError


def count_parameters(layer_sizes: list[int]) -> int:
    """Weights and biases of a fully connected network with these layer widths.

    Each pair of consecutive sizes (n_in, n_out) adds n_in * n_out weights and n_out biases.

    >>> count_parameters([3, 5, 5, 2])   # 20 + 30 + 12
    62
    """
    raise NotImplementedError
