"""Shared fixtures of the reference tests: one gradient-check helper used everywhere.

The helper computes central differences itself (it does not trust
``reference.numerical_gradient``, which is under test) and compares them with an analytic
gradient by the relative error max|a − n| / max(1e-8, max(|a| + |n|)).
"""

from collections.abc import Callable

import numpy as np
import pytest

TOLERANCE = 1e-6


def central_differences(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    """(f(x + eps e_i) − f(x − eps e_i)) / 2 eps for every coordinate i, on a copy of x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        plus = f(x.copy())
        x[i] = saved - eps
        minus = f(x.copy())
        x[i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    assert a.shape == n.shape, f"gradient shape {a.shape} != numerical {n.shape}"
    return float(np.max(np.abs(a - n)) / max(1e-8, float(np.max(np.abs(a) + np.abs(n)))))


GradCheck = Callable[..., None]


@pytest.fixture
def gradcheck() -> GradCheck:
    """``gradcheck(f, x, analytic)``: assert the analytic gradient of scalar f at x is right."""

    def check(
        f: Callable[[np.ndarray], float], x: np.ndarray, analytic: np.ndarray, eps: float = 1e-6
    ) -> None:
        numeric = central_differences(lambda z: float(f(z)), x, eps)
        err = relative_error(analytic, numeric)
        assert err < TOLERANCE, f"relative error {err:.2e} between analytic and numerical gradient"

    return check


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
