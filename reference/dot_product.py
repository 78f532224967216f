r"""Dot products and matrix products, the one operation a transformer is made of.

- dot:            a · b = Σ_i a_i b_i
- matvec:         (M v)_i = Σ_j M_ij v_j                          M (m, n), v (n,)
- matmul:         (A B)_ij = Σ_k A_ik B_kj                        A (m, k), B (k, n)
- batched_matmul: (A B)_bij = Σ_k A_bik B_bkj                     A (b, m, k), B (b, k, n)

Every entry of a matrix product is one dot product: row i of A with column j of B. (The
exercise asks students to write these loops themselves; the answer key may use ``@``.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require


def dot(a: ArrayLike, b: ArrayLike) -> float:
    """Σ_i a_i b_i for two vectors of the same length."""
    a, b = as_float(a), as_float(b)
    require(
        a.ndim == 1 and a.shape == b.shape,
        f"dot needs two vectors of the same length, got shapes {a.shape} and {b.shape}",
    )
    return float(a @ b)


def matvec(M: ArrayLike, v: ArrayLike) -> np.ndarray:
    """M v for M of shape (m, n) and v of shape (n,): entry i is dot(M[i], v)."""
    M, v = as_float(M), as_float(v)
    require(
        M.ndim == 2 and v.ndim == 1 and M.shape[1] == v.shape[0],
        f"matvec needs M (m, n) and v (n,), got shapes {M.shape} and {v.shape}",
    )
    return M @ v  # (m,)


def matmul(A: ArrayLike, B: ArrayLike) -> np.ndarray:
    """A B for A (m, k) and B (k, n): entry (i, j) is dot(A[i], B[:, j])."""
    A, B = as_float(A), as_float(B)
    require(
        A.ndim == 2 and B.ndim == 2 and A.shape[1] == B.shape[0],
        f"matmul needs A (m, k) and B (k, n), got shapes {A.shape} and {B.shape}",
    )
    return A @ B  # (m, n)


def batched_matmul(A: ArrayLike, B: ArrayLike) -> np.ndarray:
    """One matmul per batch entry: A (b, m, k), B (b, k, n) -> (b, m, n)."""
    A, B = as_float(A), as_float(B)
    require(
        A.ndim == 3 and B.ndim == 3 and A.shape[0] == B.shape[0] and A.shape[2] == B.shape[1],
        f"batched_matmul needs A (b, m, k) and B (b, k, n), got shapes {A.shape} and {B.shape}",
    )
    return A @ B  # (b, m, n)
