"""Inputs for the layer_norm checks, the finite-difference oracle and its property (instructor
side)."""

from __future__ import annotations

import numpy as np

import reference
from grader.spec import Call


def _params(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    """gamma near 1 and beta near 0, but not exactly: a dropped gamma or beta shows."""
    return 1.0 + 0.5 * rng.normal(size=d), 0.5 * rng.normal(size=d)


def rows(rng: np.random.Generator) -> dict:
    """4 rows of 6 features, each row with its own mean and scale."""
    x = rng.normal(size=(4, 6)) * rng.uniform(0.5, 3.0, size=(4, 1)) + rng.normal(size=(4, 1))
    gamma, beta = _params(rng, 6)
    return {"x": x, "gamma": gamma, "beta": beta}


def batch_time(rng: np.random.Generator) -> dict:
    """A (B, T, d) = (2, 3, 5) activation, as inside a transformer."""
    x = rng.normal(size=(2, 3, 5)) * 2.0 + 1.0
    gamma, beta = _params(rng, 5)
    return {"x": x, "gamma": gamma, "beta": beta}


def small_variance_big_eps(rng: np.random.Generator) -> dict:
    """Features with variance about 0.1 and eps = 0.1: where eps goes changes everything."""
    x = rng.normal(size=(3, 8)) * 0.3
    gamma, beta = _params(rng, 8)
    return {"x": x, "gamma": gamma, "beta": beta, "eps": 0.1}


def few_features(rng: np.random.Generator) -> dict:
    """Only 3 features per row: dividing by d - 1 instead of d is a 22% change of the scale."""
    x = rng.normal(size=(5, 3)) * 2.0
    gamma, beta = _params(rng, 3)
    return {"x": x, "gamma": gamma, "beta": beta}


def square_batch(rng: np.random.Generator) -> dict:
    """A 5x5 input whose rows and columns have different statistics (same shape either way)."""
    x = rng.normal(size=(5, 5)) + np.arange(5.0)[:, None] * 2.0 - np.arange(5.0)[None, :]
    gamma, beta = _params(rng, 5)
    return {"x": x, "gamma": gamma, "beta": beta}


def wide(rng: np.random.Generator) -> dict:
    """(3, 2, 64): gamma and beta must broadcast over both leading axes."""
    x = rng.normal(size=(3, 2, 64)) * 1.5
    gamma, beta = _params(rng, 64)
    return {"x": x, "gamma": gamma, "beta": beta}


def backward_rows(rng: np.random.Generator) -> dict:
    """layer_norm_backward on 4 rows of 6 features with a random upstream gradient."""
    kwargs = rows(rng)
    del kwargs["beta"]
    return {**kwargs, "grad_out": rng.normal(size=(4, 6))}


def backward_batch_time_eps(rng: np.random.Generator) -> dict:
    """layer_norm_backward on (2, 3, 5) with eps = 0.1."""
    kwargs = batch_time(rng)
    del kwargs["beta"]
    return {**kwargs, "grad_out": rng.normal(size=(2, 3, 5)), "eps": 0.1}


def backward_small(rng: np.random.Generator) -> dict:
    """layer_norm_backward on (3, 4), compared with central differences of the forward."""
    x = rng.normal(size=(3, 4)) * 2.0
    gamma, _ = _params(rng, 4)
    return {"x": x, "gamma": gamma, "grad_out": rng.normal(size=(3, 4))}


def central_differences(calls: list[Call]) -> list[dict]:
    """Central differences of L = sum(grad_out * layer_norm(x, gamma, beta)) in each input."""
    kw = calls[0].kwargs
    x, gamma, grad_out = kw["x"], kw["gamma"], kw["grad_out"]
    beta = np.zeros_like(gamma)

    def loss(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> float:
        return float(np.sum(grad_out * reference.layer_norm(x, gamma, beta)))

    return [
        {
            "x": reference.numerical_gradient(lambda v: loss(v, gamma, beta), x, 1e-6),
            "gamma": reference.numerical_gradient(lambda v: loss(x, v, beta), gamma, 1e-6),
            "beta": reference.numerical_gradient(lambda v: loss(x, gamma, v), beta, 1e-6),
        }
    ]


def matches_finite_differences(calls: list[Call], outputs: list, expected: list) -> str | None:
    """The three gradients of L = sum(grad_out * layer_norm(x)) equal central differences."""
    numeric = expected[0]
    got = outputs[0]
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        return "layer_norm_backward should return three arrays: (grad_x, grad_gamma, grad_beta)"
    for name, g in zip(("x", "gamma", "beta"), got, strict=True):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != numeric[name].shape:
            return f"grad_{name} has shape {g.shape}, expected {numeric[name].shape}"
        err = np.max(np.abs(g - numeric[name]))
        if err > 1e-5:
            return f"grad_{name} differs from central differences of layer_norm by up to {err:.3g}"
    return None
