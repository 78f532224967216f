"""Input generators for exercise 01 (instructor side, runs in the grader's process)."""

import numpy as np


def vectors(rng: np.random.Generator) -> dict:
    """Two float vectors of length 7."""
    return {"a": rng.normal(size=7), "b": rng.normal(size=7)}


def square_matvec(rng: np.random.Generator) -> dict:
    """A non-symmetric 4×4 matrix and a vector, so rows and columns give different answers."""
    return {"M": rng.normal(size=(4, 4)), "v": rng.normal(size=4)}


def tall_matvec(rng: np.random.Generator) -> dict:
    """A 5×3 matrix and a vector of length 3."""
    return {"M": rng.normal(size=(5, 3)), "v": rng.normal(size=3)}


def square_matmul(rng: np.random.Generator) -> dict:
    """Two 3×3 matrices (not symmetric, not diagonal)."""
    return {"A": rng.normal(size=(3, 3)), "B": rng.normal(size=(3, 3))}


def rectangular_matmul(rng: np.random.Generator) -> dict:
    """A (3, 4) @ B (4, 2): every size different."""
    return {"A": rng.normal(size=(3, 4)), "B": rng.normal(size=(4, 2))}


def row_times_column(rng: np.random.Generator) -> dict:
    """A 1×6 row times a 6×1 column: a 1×1 result."""
    return {"A": rng.normal(size=(1, 6)), "B": rng.normal(size=(6, 1))}


def column_times_row(rng: np.random.Generator) -> dict:
    """A 5×1 column times a 1×4 row: the 5×4 outer product (inner size 1)."""
    return {"A": rng.normal(size=(5, 1)), "B": rng.normal(size=(1, 4))}


def batch_of_products(rng: np.random.Generator) -> dict:
    """A (4, 2, 3) @ B (4, 3, 5): four different products."""
    return {"A": rng.normal(size=(4, 2, 3)), "B": rng.normal(size=(4, 3, 5))}
