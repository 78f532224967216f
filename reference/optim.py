r"""AdamW, exactly as ``torch.optim.AdamW`` does one step for one parameter array.

At step t = 1, 2, … with gradient g:

    p ← p − lr · λ · p                              decoupled weight decay (first)
    m ← β1 m + (1 − β1) g                           running mean of gradients
    v ← β2 v + (1 − β2) g²                          running mean of squared gradients
    m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t)       bias correction (m, v start at 0)
    p ← p − lr · m̂ / (√v̂ + ε)

The arithmetic below follows PyTorch's order — step size lr/(1 − β1^t), denominator
√v/√(1 − β2^t) + ε — so the results agree to the last few bits.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float, require


def adamw_update(
    p: ArrayLike,
    g: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step: returns the new (p, m, v); the inputs are left unchanged."""
    p, g, m, v = as_float(p), as_float(g), as_float(m), as_float(v)
    require(
        p.shape == g.shape == m.shape == v.shape,
        f"p, g, m, v must have one shape, got {p.shape}, {g.shape}, {m.shape}, {v.shape}",
    )
    require(int(t) == t and t >= 1, f"the step count t starts at 1, got {t}")
    decayed = p * (1.0 - lr * weight_decay)
    m_new = beta1 * m + (1.0 - beta1) * g
    v_new = beta2 * v + (1.0 - beta2) * g * g
    step_size = lr / (1.0 - beta1**t)
    denom = np.sqrt(v_new) / math.sqrt(1.0 - beta2**t) + eps
    return decayed - step_size * m_new / denom, m_new, v_new
