"""Input generators for exercise 00 (instructor side, runs in the grader's process)."""

import numpy as np


def _mixing(rng: np.random.Generator, d: int, n: int) -> dict:
    """X (d, n) and an attention weight matrix A (n, n) whose columns are distributions."""
    X = rng.normal(size=(d, n))
    A = rng.random(size=(n, n))
    return {"X": X, "A": A / A.sum(axis=0, keepdims=True)}


def wide_mixing(rng: np.random.Generator) -> dict:
    """4 features, 6 positions."""
    return _mixing(rng, 4, 6)


def tall_mixing(rng: np.random.Generator) -> dict:
    """7 features, 3 positions: more rows than columns."""
    return _mixing(rng, 7, 3)


def _ffn(rng: np.random.Generator, d: int, n: int, h: int, d_out: int) -> dict:
    """Z (d, n) and FFN weights with both signs, so ReLU and every bias matter."""
    return {
        "Z": rng.normal(size=(d, n)),
        "W1": rng.normal(size=(h, d)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(d_out, h)),
        "b2": rng.normal(size=d_out),
    }


def small_ffn(rng: np.random.Generator) -> dict:
    """d 3, n 5 positions, h 4 hidden units, d_out 3 (the Robtimus sizes)."""
    return _ffn(rng, 3, 5, 4, 3)


def uneven_ffn(rng: np.random.Generator) -> dict:
    """d 5, n 2, h 8, d_out 2: every size different."""
    return _ffn(rng, 5, 2, 8, 2)
