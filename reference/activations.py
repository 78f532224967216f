r"""Activation functions and their derivatives.

Each activation :math:`f` is applied elementwise; its backward takes the *input* ``x`` and the
upstream gradient ``grad_out`` = :math:`\partial L / \partial f(x)` and returns
:math:`\partial L / \partial x = \text{grad\_out} \cdot f'(x)`.

| name      | f(x)                                              | f'(x)                         |
|-----------|---------------------------------------------------|-------------------------------|
| relu      | max(x, 0)                                         | 1 if x > 0 else 0             |
| sigmoid   | 1 / (1 + e^{-x})                                  | σ(x)(1 − σ(x))                |
| tanh      | (e^x − e^{-x}) / (e^x + e^{-x})                   | 1 − tanh²(x)                  |
| gelu      | x Φ(x),  Φ(x) = ½ erfc(−x/√2)                     | Φ(x) + x φ(x)                 |
| gelu_tanh | ½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))           | see :func:`gelu_tanh_backward`|
| identity  | x                                                 | 1                             |

NumPy has no error function, so this module carries one: W. J. Cody's rational Chebyshev
approximations (Math. Comp. 23, 1969, the ``calerf`` routine behind most C libraries).
erf is accurate to 1e-15 relative; erfc(y) to about y² · 1e-16 relative (the rounding of y²
inside exp(−y²)), which still means 1e-15 for y <= 3.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from reference.checks import as_float

# --- the error function ---------------------------------------------------------------------

# Cody's rational functions, each coefficient list from the highest power down.
# Interval 1, |x| <= 0.46875: erf(x) = x · P1(x²) / Q1(x²).
_P1 = (1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
       3.77485237685302021e02, 3.20937758913846947e03)  # fmt: skip
_Q1 = (1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
       2.84423683343917062e03)  # fmt: skip
# Interval 2, 0.46875 < y <= 4: erfc(y) = exp(−y²) · P2(y) / Q2(y).
_P2 = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
       6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
       1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03)  # fmt: skip
_Q2 = (1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
       1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
       3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
# Interval 3, y > 4: erfc(y) = exp(−y²)/y · (1/√π − z P3(z)/Q3(z)) with z = 1/y².
_P3 = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
       1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4)  # fmt: skip
_Q3 = (1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
       6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip

_SMALL, _MEDIUM = 0.46875, 4.0
_BIG = 27.3  # erfc(x) < 1e-323 beyond this: 0 in float64


def _horner(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """c_0 x^n + c_1 x^(n−1) + … + c_n = (…((c_0 x + c_1) x + c_2) x …) + c_n."""
    result = coefficients[0] * x + coefficients[1]
    for c in coefficients[2:]:
        result *= x  # in place: one array for the whole evaluation
        result += c
    return result


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf(x) for |x| <= 0.46875 (interval 1)."""
    z = x * x
    return x * _horner(_P1, z) / _horner(_Q1, z)


def _erfc_medium(y: np.ndarray) -> np.ndarray:
    """erfc(y) for 0.46875 < y <= 4 (interval 2)."""
    return np.exp(-y * y) * _horner(_P2, y) / _horner(_Q2, y)


def _erfc_large(y: np.ndarray) -> np.ndarray:
    """erfc(y) for 4 < y <= 27.3 (interval 3, an asymptotic series in 1/y²)."""
    z = 1.0 / (y * y)
    tail = z * _horner(_P3, z) / _horner(_Q3, z)
    return np.exp(-y * y) * (1.0 / math.sqrt(math.pi) - tail) / y


def _erfc_nonnegative(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y >= 0: each element goes through the formula of its interval."""
    out = np.zeros_like(y)  # erfc(y) rounds to 0 beyond _BIG
    small = y <= _SMALL
    medium = (y > _SMALL) & (y <= _MEDIUM)
    large = (y > _MEDIUM) & (y <= _BIG)
    out[small] = 1.0 - _erf_small(y[small])
    out[medium] = _erfc_medium(y[medium])
    out[large] = _erfc_large(y[large])
    return out


def erf(x: ArrayLike) -> np.ndarray:
    r"""The error function erf(x) = (2/√π) ∫_0^x e^{−t²} dt."""
    x = as_float(x)
    y = np.abs(x)
    small = _erf_small(np.clip(x, -_SMALL, _SMALL))
    return np.where(y <= _SMALL, small, np.sign(x) * (1.0 - _erfc_nonnegative(y)))


def erfc(x: ArrayLike) -> np.ndarray:
    r"""erfc(x) = 1 − erf(x), accurate in relative terms even where it is tiny (large x)."""
    x = as_float(x)
    upper = _erfc_nonnegative(np.abs(x))
    return np.where(x < 0, 2.0 - upper, upper)


def normal_cdf(x: ArrayLike) -> np.ndarray:
    r"""Φ(x) = P(Z <= x) = ½ (1 + erf(x/√2)) for a standard normal Z.

    Near 0 (|x/√2| <= 0.46875) this is the interval-1 formula for erf. Further out,
    Φ(x) = ½ erfc(|x|/√2) for x < 0 and 1 − ½ erfc(|x|/√2) for x > 0, which keeps full
    relative accuracy in the left tail, where Φ is tiny.
    """
    z = as_float(x) / math.sqrt(2.0)
    out = np.empty_like(z)
    near = np.abs(z) <= _SMALL
    out[near] = 0.5 + 0.5 * _erf_small(z[near])
    far = ~near
    z_far = z[far]
    tail = 0.5 * _erfc_nonnegative(np.abs(z_far))  # P(Z > |x|)
    out[far] = np.where(z_far > 0, 1.0 - tail, tail)
    return out


def normal_pdf(x: ArrayLike) -> np.ndarray:
    r"""φ(x) = e^{−x²/2} / √(2π), the standard normal density (Φ' = φ)."""
    x = as_float(x)
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


# --- activations ----------------------------------------------------------------------------


def relu(x: ArrayLike) -> np.ndarray:
    """ReLU(x) = max(x, 0), elementwise."""
    return np.maximum(as_float(x), 0.0)


def relu_backward(x: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    """dL/dx = grad_out · [x > 0] (the derivative at 0 is taken as 0, as in PyTorch)."""
    return as_float(grad_out) * (as_float(x) > 0)


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""σ(x) = 1 / (1 + e^{−x}), computed without overflow for any x.

    With z = e^{−|x|} (always in (0, 1]): σ(x) = 1/(1 + z) for x >= 0 and z/(1 + z) for x < 0
    (multiply top and bottom of 1/(1 + e^{−x}) by e^{x}). No exponent ever exceeds 0.
    """
    x = as_float(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_backward(x: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    """dL/dx = grad_out · σ(x)(1 − σ(x))."""
    s = sigmoid(x)
    return as_float(grad_out) * s * (1.0 - s)


def tanh(x: ArrayLike) -> np.ndarray:
    """tanh(x) = (e^x − e^{−x}) / (e^x + e^{−x}) = 2σ(2x) − 1."""
    return np.tanh(as_float(x))


def tanh_backward(x: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    """dL/dx = grad_out · (1 − tanh²(x))."""
    t = np.tanh(as_float(x))
    return as_float(grad_out) * (1.0 - t * t)


def gelu(x: ArrayLike) -> np.ndarray:
    r"""Exact GELU: x Φ(x) = ½ x (1 + erf(x/√2))."""
    x = as_float(x)
    return x * normal_cdf(x)


def gelu_backward(x: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    r"""dL/dx = grad_out · (Φ(x) + x φ(x)), by the product rule on x·Φ(x)."""
    x = as_float(x)
    return as_float(grad_out) * (normal_cdf(x) + x * normal_pdf(x))


_GELU_TANH_C = math.sqrt(2.0 / math.pi)
_GELU_TANH_K = 0.044715


def gelu_tanh(x: ArrayLike) -> np.ndarray:
    r"""GELU's tanh approximation (GPT-2): ½ x (1 + tanh(u)), u = √(2/π)(x + 0.044715 x³)."""
    x = as_float(x)
    u = _GELU_TANH_C * (x + _GELU_TANH_K * x**3)
    return 0.5 * x * (1.0 + np.tanh(u))


def gelu_tanh_backward(x: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    r"""dL/dx for :func:`gelu_tanh`.

    With t = tanh(u): d/dx [½x(1 + t)] = ½(1 + t) + ½x(1 − t²) · √(2/π)(1 + 3·0.044715 x²).
    """
    x = as_float(x)
    t = np.tanh(_GELU_TANH_C * (x + _GELU_TANH_K * x**3))
    du_dx = _GELU_TANH_C * (1.0 + 3.0 * _GELU_TANH_K * x**2)
    return as_float(grad_out) * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx)


def identity(x: ArrayLike) -> np.ndarray:
    """identity(x) = x (a layer with no activation)."""
    return as_float(x)


ACTIVATIONS: dict[str, Callable[[ArrayLike], np.ndarray]] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "gelu": gelu,
    "identity": identity,
}


def activate(x: ArrayLike, activation: str) -> np.ndarray:
    """Apply the activation called ``activation`` (one of :data:`ACTIVATIONS`)."""
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[activation](x)
