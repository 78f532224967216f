"""Known mistakes in exercise 02, one bug each (instructor side; numpy and math only)."""

import math

import numpy as np


def sigmoid_exp_ratio(x):
    """exp(x) / (1 + exp(x)): inf / inf = nan at x = 1000."""
    e = np.exp(np.asarray(x, dtype=float))
    return e / (1.0 + e)


def tanh_from_exponentials(x):
    """The textbook formula taken literally: inf / inf = nan at x = ±1000."""
    x = np.asarray(x, dtype=float)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def gelu_is_tanh_approximation(x):
    """Uses the tanh approximation where the exact GELU (with erf) is asked for."""
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def gelu_tanh_is_sigmoid_approximation(x):
    """Uses x * sigmoid(1.702 x), a different (coarser) GELU approximation."""
    x = np.asarray(x, dtype=float)
    return x / (1.0 + np.exp(-1.702 * x))


def _weights(layer_sizes):
    return sum(layer_sizes[i] * layer_sizes[i + 1] for i in range(len(layer_sizes) - 1))


def count_parameters_weights_only(layer_sizes):
    """Counts the weights and forgets the biases."""
    return _weights(layer_sizes)


def count_parameters_input_biases(layer_sizes):
    """Gives every layer a bias, the input layer too."""
    return _weights(layer_sizes) + sum(layer_sizes)


def neuron_always_relu(x, w, b, activation="relu"):
    """Applies ReLU whatever activation was asked for."""
    if activation not in ("relu", "sigmoid", "tanh", "gelu", "identity"):
        raise ValueError(f"unknown activation {activation!r}")
    s = float(np.sum(np.asarray(w, dtype=float) * np.asarray(x, dtype=float)) + b)
    return max(s, 0.0)


def gelu_exact(z):
    """x·Phi(x) with math.erf (a helper of the misconception below, itself correct)."""
    return 0.5 * z * (1.0 + np.vectorize(math.erf, otypes=[float])(z / math.sqrt(2.0)))


def dense_bias_after_activation(x, W, b, activation="relu"):
    """Adds the bias after the activation: f(x @ W) + b instead of f(x @ W + b)."""
    funcs = {
        "relu": lambda z: np.maximum(z, 0.0),
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
        "tanh": np.tanh,
        "gelu": lambda z: (
            0.5 * z * (1.0 + np.vectorize(math.erf, otypes=[float])(z / math.sqrt(2)))
        ),
        "identity": lambda z: z,
    }
    if activation not in funcs:
        raise ValueError(f"unknown activation {activation!r}")
    x, W, b = (np.asarray(a, dtype=float) for a in (x, W, b))
    return funcs[activation](x @ W) + b
