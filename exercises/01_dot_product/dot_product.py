"""Exercise 01: dot products and matrix products, written with your own loops.

Forbidden here: np.dot, np.matmul, np.einsum, np.inner, np.vdot, np.tensordot and the @
operator (also as numpy.dot, a.dot(b), or under another import name). Loops, indexing,
`*`, `+` and sum() are fine.
"""

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """a · b = sum_i a[i] * b[i] for two vectors of the same length, as a Python float.

    Shapes: a (n,), b (n,) -> float. Raise ValueError when the lengths differ.

    >>> dot(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))   # 4 + 10 + 18
    32.0
    """
    raise NotImplementedError


def matvec(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(M v)[i] = sum_j M[i, j] * v[j]: entry i is the dot product of row i of M with v.

    Shapes: M (m, n), v (n,) -> (m,). Raise ValueError when M has no n columns.

    >>> matvec(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([2.0, 3.0]))
    array([2., 6.])
    """
    raise NotImplementedError


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(A B)[i, j] = sum_k A[i, k] * B[k, j]: row i of A dotted with column j of B.

    Shapes: A (m, k), B (k, n) -> (m, n). Raise ValueError when the inner sizes differ
    or an argument is not 2-D.

    >>> matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]))   # 1*3 + 2*4
    array([[11.]])
    """
    raise NotImplementedError


def batched_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """One matrix product per batch entry: C[b] = A[b] B[b].

    Shapes: A (batch, m, k), B (batch, k, n) -> (batch, m, n). Raise ValueError when the
    batch sizes or the inner sizes differ, or an argument is not 3-D.

    >>> batched_matmul(np.ones((2, 1, 3)), np.ones((2, 3, 1)))
    array([[[3.]],
    <BLANKLINE>
           [[3.]]])
    """
    raise NotImplementedError
