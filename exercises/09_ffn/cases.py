"""Inputs, the finite-difference oracle and its property for the FFN checks (instructor side)."""

from __future__ import annotations

import numpy as np

import reference
from grader.spec import Call


def _weights(rng: np.random.Generator, d_model: int, d_ff: int, shift: float = 0.0) -> dict:
    """Weights scaled so that x W1 + b1 spreads over about ±3 (+ shift), where GELU curves."""
    return {
        "W1": rng.normal(size=(d_model, d_ff)) * 1.5 / np.sqrt(d_model),
        "b1": rng.normal(size=d_ff) * 0.5 + shift,
        "W2": rng.normal(size=(d_ff, d_model)) / np.sqrt(d_ff),
        "b2": rng.normal(size=d_model) * 0.5,
    }


def rows_of(rng: np.random.Generator, shape: tuple[int, ...], d_ff: int) -> dict:
    """A standard normal x of this shape and weights for d_model = shape[-1]."""
    return {"x": rng.normal(size=shape), **_weights(rng, shape[-1], d_ff)}


def rows(rng: np.random.Generator) -> dict:
    """x (3, 4), d_ff = 16 (the 4x expansion)."""
    return rows_of(rng, (3, 4), 16)


def batch_time(rng: np.random.Generator) -> dict:
    """x (2, 3, 8), d_ff = 32."""
    return {"x": rng.normal(size=(2, 3, 8)) * 1.5, **_weights(rng, 8, 32)}


def mostly_negative(rng: np.random.Generator) -> dict:
    """x (4, 6), d_ff = 24, with b1 shifted down so most pre-activations are negative."""
    return {"x": rng.normal(size=(4, 6)), **_weights(rng, 6, 24, shift=-1.5)}


def backward_rows(rng: np.random.Generator) -> dict:
    """ffn_backward on x (4, 3), d_ff = 12."""
    return {**rows_of(rng, (4, 3), 12), "grad_out": rng.normal(size=(4, 3))}


def backward_batch_time(rng: np.random.Generator) -> dict:
    """ffn_backward on x (2, 3, 4), d_ff = 16: b1's gradient sums over batch and time."""
    return {**rows_of(rng, (2, 3, 4), 16), "grad_out": rng.normal(size=(2, 3, 4))}


def backward_small(rng: np.random.Generator) -> dict:
    """ffn_backward on x (3, 2), d_ff = 8, for central differences."""
    return {**rows_of(rng, (3, 2), 8), "grad_out": rng.normal(size=(3, 2))}


def counts(rng: np.random.Generator) -> list[Call]:
    """ffn_parameter_count for a small layer and for a 4x layer of GPT-3 size."""
    return [
        Call("ffn_parameter_count", {"d_model": 3, "d_ff": 5}),
        Call("ffn_parameter_count", {"d_model": 12288, "d_ff": 49152}),
    ]


def central_differences(calls: list[Call]) -> list[dict]:
    """Central differences of L = sum(grad_out * ffn(x, W1, b1, W2, b2)) in each input."""
    kw = {k: np.array(v, dtype=np.float64) for k, v in calls[0].kwargs.items()}
    grad_out = kw.pop("grad_out")

    def loss(name: str, value: np.ndarray) -> float:
        return float(np.sum(grad_out * reference.ffn(**{**kw, name: value})))

    names = ("x", "W1", "b1", "W2", "b2")
    return [
        {n: reference.numerical_gradient(lambda v, n=n: loss(n, v), kw[n], 1e-6) for n in names}
    ]


def matches_finite_differences(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Every gradient equals central differences of L = sum(grad_out * ffn(...))."""
    got = outputs[0]
    if not isinstance(got, dict):
        return "ffn_backward should return a dict with keys x, W1, b1, W2, b2"
    for name, numeric in expected[0].items():
        if name not in got:
            return f"the gradient dict has no key {name!r}"
        g = np.asarray(got[name], dtype=np.float64)
        if g.shape != numeric.shape:
            return f"gradient {name!r} has shape {g.shape}, expected {numeric.shape}"
        err = float(np.max(np.abs(g - numeric)))
        if err > 1e-5:
            return f"gradient {name!r} differs from central differences by up to {err:.3g}"
    return None
