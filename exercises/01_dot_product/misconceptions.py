"""Known mistakes in exercise 01, one bug each (instructor side; numpy and math only)."""

import numpy as np


def dot_resets_total(a, b):
    """Sets the running total to 0 inside the loop, so only the last product survives."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    total = 0.0
    for i in range(a.shape[0]):
        total = 0.0
        total += a[i] * b[i]
    return float(total)


def matvec_columns(M, v):
    """Dots v with the COLUMNS of M, i.e. computes M.T v."""
    M = np.asarray(M, dtype=float)
    v = np.asarray(v, dtype=float)
    out = np.zeros(M.shape[1])
    for i in range(M.shape[1]):
        out[i] = sum(M[j, i] * v[j] for j in range(M.shape[0]))
    return out


def matmul_elementwise(A, B):
    """Multiplies entry by entry (the Hadamard product A * B) instead of rows by columns."""
    return np.asarray(A, dtype=float) * np.asarray(B, dtype=float)
