"""Exercise 03: softmax and log-softmax, stable for logits as large as ±1e4."""

import numpy as np


def softmax(x: np.ndarray, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Turn logits into probabilities along `axis`:

        softmax(x)_i = exp(x_i / T) / sum_j exp(x_j / T),   T = temperature

    Shapes: any; the output has the shape of x and sums to 1 along `axis`.
    Raise ValueError when temperature <= 0. Must stay finite for logits of ±1e4.

    >>> softmax(np.array([1.0, 2.0, 3.0]))
    array([0.09003057, 0.24472847, 0.66524096])
    """
    raise NotImplementedError


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) along `axis`, computed without ever taking log(0):

        log_softmax(x)_i = x_i - log(sum_j exp(x_j))

    Shapes: any; the output has the shape of x.

    >>> log_softmax(np.array([0.0, -1e4]))
    array([     0., -10000.])
    """
    raise NotImplementedError
