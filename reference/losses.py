r"""Cross-entropy of logits against integer targets, the loss of a language model.

For logits z of shape (..., C) and targets y of shape (...), with N = number of positions:

    L = −(1/N) Σ_n log softmax(z_n)[y_n]            (natural log, mean over positions)

A model that puts probability 0.9 on the right class pays −log 0.9 ≈ 0.105; one that puts
0.01 there pays −log 0.01 ≈ 4.6. The gradient has the famous simple form

    ∂L/∂z_n = (softmax(z_n) − onehot(y_n)) / N.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, as_int, require
from reference.softmax_ops import log_softmax


def _check(logits: ArrayLike, targets: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    z, y = as_float(logits), as_int(targets, "targets")
    require(
        z.ndim >= 1 and z.shape[:-1] == y.shape,
        f"logits (..., C) and targets (...) do not fit: logits {z.shape}, targets {y.shape}",
    )
    require(y.size > 0, "cross-entropy of zero positions is undefined")
    C = z.shape[-1]
    require(
        bool(np.all((y >= 0) & (y < C))),
        f"targets must be class ids in [0, {C}), got values from {y.min()} to {y.max()}",
    )
    return z, y


def cross_entropy_and_grad(logits: ArrayLike, targets: ArrayLike) -> tuple[float, np.ndarray]:
    """(loss, ∂loss/∂logits) from one log-softmax: softmax = exp(log_softmax)."""
    z, y = _check(logits, targets)
    log_p = log_softmax(z, axis=-1)  # (..., C)
    log_p_target = np.take_along_axis(log_p, y[..., None], axis=-1)  # (..., 1)
    grad = np.exp(log_p)  # softmax(logits), a new array we may change
    np.put_along_axis(grad, y[..., None], np.exp(log_p_target) - 1.0, axis=-1)  # − onehot
    grad /= y.size
    return -float(log_p_target.mean()), grad


def cross_entropy(logits: ArrayLike, targets: ArrayLike) -> float:
    """Mean negative log-likelihood (natural log) of ``targets`` under softmax(``logits``)."""
    z, y = _check(logits, targets)
    log_p = log_softmax(z, axis=-1)  # (..., C)
    log_p_target = np.take_along_axis(log_p, y[..., None], axis=-1)  # (..., 1)
    return float(-log_p_target.mean())


def cross_entropy_grad(logits: ArrayLike, targets: ArrayLike) -> np.ndarray:
    """∂L/∂logits = (softmax(logits) − onehot(targets)) / N, shape (..., C)."""
    return cross_entropy_and_grad(logits, targets)[1]
