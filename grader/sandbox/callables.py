"""The fixed table of scalar test functions a check may pass to student code.

`numerical_gradient(f, x)` needs a function `f`; checks name one of these
(`{callable: sum_of_squares}` in `exercise.yaml`) and the codec sends only the name
(`grader.codec.FunctionRef`). Each maps an array to a Python float; the analytic
gradient is in the docstring so a check can compare with it.

This module imports only numpy: the worker runs a copy of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def sum_of_squares(x: Any) -> float:
    """f(x) = Σ x_i²; ∂f/∂x_i = 2 x_i."""
    a = np.asarray(x, dtype=np.float64)
    return float(np.sum(a * a))


def sum_of_cubes(x: Any) -> float:
    """f(x) = Σ x_i³; ∂f/∂x_i = 3 x_i²."""
    a = np.asarray(x, dtype=np.float64)
    return float(np.sum(a * a * a))


def sum_of_sines(x: Any) -> float:
    """f(x) = Σ sin(x_i); ∂f/∂x_i = cos(x_i)."""
    return float(np.sum(np.sin(np.asarray(x, dtype=np.float64))))


def log_sum_exp(x: Any) -> float:
    """f(x) = log Σ exp(x_i), computed as m + log Σ exp(x_i − m) with m = max x;
    ∂f/∂x_i = softmax(x)_i."""
    a = np.asarray(x, dtype=np.float64).ravel()
    m = float(np.max(a))
    return m + float(np.log(np.sum(np.exp(a - m))))


CALLABLES: dict[str, Callable[[Any], float]] = {
    f.__name__: f for f in (sum_of_squares, sum_of_cubes, sum_of_sines, log_sum_exp)
}
