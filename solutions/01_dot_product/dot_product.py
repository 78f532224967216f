"""Exercise 01 solution: every product is built from one loop-based dot product."""

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """a · b = sum_i a[i] * b[i]."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"dot needs two vectors of the same length, got {a.shape} and {b.shape}")
    total = 0.0
    for i in range(a.shape[0]):
        total += float(a[i]) * float(b[i])
    return total


def matvec(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(M v)[i] = dot(M[i], v)."""
    M = np.asarray(M, dtype=float)
    v = np.asarray(v, dtype=float)
    if M.ndim != 2 or v.ndim != 1 or M.shape[1] != v.shape[0]:
        raise ValueError(f"matvec needs M (m, n) and v (n,), got {M.shape} and {v.shape}")
    out = np.zeros(M.shape[0])
    for i in range(M.shape[0]):
        out[i] = dot(M[i], v)
    return out


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(A B)[i, j] = dot(A[i], B[:, j])."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul needs A (m, k) and B (k, n), got {A.shape} and {B.shape}")
    out = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            out[i, j] = dot(A[i], B[:, j])
    return out


def batched_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """C[b] = matmul(A[b], B[b]) for every batch entry b."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 3 or B.ndim != 3 or A.shape[0] != B.shape[0] or A.shape[2] != B.shape[1]:
        raise ValueError(
            f"batched_matmul needs A (batch, m, k) and B (batch, k, n), got {A.shape} and {B.shape}"
        )
    out = np.zeros((A.shape[0], A.shape[1], B.shape[2]))
    for b in range(A.shape[0]):
        out[b] = matmul(A[b], B[b])
    return out
