"""Input generators, oracles and properties for exercise 05 (instructor side, grader's process).

The finite-difference oracles differentiate the REFERENCE forward pass (a layer through
`reference.dense(..., "identity")`, `reference.relu`, `reference.gelu`, the loss of
`reference.mlp_loss_and_grads`), so the properties test the student's backward independently
of the reference's backward. An oracle runs once per case (cached with it); its values reach
the property as `expected`.
"""

from collections.abc import Callable

import numpy as np

import reference
from grader.codec import FunctionRef
from grader.spec import Call

STEP = 1e-6  # central-difference step of the properties


def _central(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of scalar f at x (x is not changed)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += STEP
        minus[i] -= STEP
        grad[i] = (f(plus) - f(minus)) / (2 * STEP)
    return grad


def _mismatch(name: str, got: object, numeric: np.ndarray) -> str | None:
    """None when `got` equals the numerical gradient, else a message for the student."""
    got = np.asarray(got, dtype=float)
    if got.shape != numeric.shape:
        return f"{name} has shape {got.shape}, expected {numeric.shape}"
    if not np.allclose(got, numeric, rtol=1e-5, atol=1e-6):
        worst = np.unravel_index(int(np.argmax(np.abs(got - numeric))), numeric.shape)
        return (
            f"{name} disagrees with finite differences of the forward pass: at {list(worst)} "
            f"you give {got[worst]:.6g}, the numbers say {numeric[worst]:.6g}"
        )
    return None


# --- numerical_gradient ---------------------------------------------------------------------


def cubes(rng: np.random.Generator) -> dict:
    """f = sum of cubes at a 3×4 point."""
    return {"f": FunctionRef("sum_of_cubes"), "x": rng.normal(size=(3, 4))}


def sines_coarse_step(rng: np.random.Generator) -> dict:
    """f = sum of sines at a 2×3 point, eps = 1e-3 (a one-sided difference is off by ~1e-4)."""
    return {"f": FunctionRef("sum_of_sines"), "x": rng.uniform(-3, 3, size=(2, 3)), "eps": 1e-3}


def log_sum_exp_point(rng: np.random.Generator) -> dict:
    """f = log-sum-exp at a point of 5 entries."""
    return {"f": FunctionRef("log_sum_exp"), "x": 2.0 * rng.normal(size=5)}


# --- linear_backward ------------------------------------------------------------------------


def _linear(rng: np.random.Generator, lead: tuple[int, ...], d_in: int, d_out: int) -> dict:
    return {
        "x": rng.normal(size=(*lead, d_in)),
        "W": rng.normal(size=(d_in, d_out)),
        "grad_out": rng.normal(size=(*lead, d_out)),
    }


def linear_2d(rng: np.random.Generator) -> dict:
    """x (4, 3), W (3, 5), grad_out (4, 5)."""
    return _linear(rng, (4,), 3, 5)


def linear_3d(rng: np.random.Generator) -> dict:
    """x (2, 3, 4), W (4, 5), grad_out (2, 3, 5): a (B, T, d) batch."""
    return _linear(rng, (2, 3), 4, 5)


def linear_finite_differences(calls: list[Call]) -> list[dict]:
    """Central differences of L = sum(grad_out * (x @ W + b)) in x, W and b."""
    kw = calls[0].kwargs
    x, W, g = (np.asarray(kw[k], dtype=float) for k in ("x", "W", "grad_out"))
    b = np.zeros(W.shape[1])

    def loss(x_: np.ndarray, W_: np.ndarray, b_: np.ndarray) -> float:
        return float(np.sum(g * reference.dense(x_, W_, b_, activation="identity")))

    return [
        {
            "grad_x": _central(lambda v: loss(v, W, b), x),
            "grad_W": _central(lambda v: loss(x, v, b), W),
            "grad_b": _central(lambda v: loss(x, W, v), b),
        }
    ]


def linear_matches_forward(calls: list[Call], outputs: list, expected: list) -> str | None:
    """linear_backward equals finite differences of L = sum(grad_out * (x @ W + b))."""
    parts = outputs[0]
    if not isinstance(parts, (tuple, list)) or len(parts) != 3:
        return "linear_backward should return three arrays (grad_x, grad_W, grad_b)"
    for got, (name, numeric) in zip(parts, expected[0].items(), strict=True):
        problem = _mismatch(name, got, numeric)
        if problem:
            return problem
    return None


# --- relu_backward and gelu_backward --------------------------------------------------------


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], low: float) -> np.ndarray:
    """Entries of both signs with |x| >= low (ReLU has no derivative at 0)."""
    return rng.uniform(low, 3.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def activation_2d(rng: np.random.Generator) -> dict:
    """x and grad_out of shape (3, 4)."""
    return {"x": _away_from_zero(rng, (3, 4), 0.05), "grad_out": rng.normal(size=(3, 4))}


def activation_3d(rng: np.random.Generator) -> dict:
    """x and grad_out of shape (2, 3, 4), |x| between 0.05 and 3."""
    x = _away_from_zero(rng, (2, 3, 4), 0.05)
    return {"x": x, "grad_out": rng.normal(size=(2, 3, 4))}


def _activation_differences(forward: Callable, calls: list[Call]) -> list[np.ndarray]:
    kw = calls[0].kwargs
    x, g = np.asarray(kw["x"], dtype=float), np.asarray(kw["grad_out"], dtype=float)
    return [_central(lambda v: float(np.sum(g * forward(v))), x)]


def relu_finite_differences(calls: list[Call]) -> list[np.ndarray]:
    """Central differences of sum(grad_out * relu(x)) in x."""
    return _activation_differences(reference.relu, calls)


def gelu_finite_differences(calls: list[Call]) -> list[np.ndarray]:
    """Central differences of sum(grad_out * gelu(x)) in x."""
    return _activation_differences(reference.gelu, calls)


def matches_forward(calls: list[Call], outputs: list, expected: list) -> str | None:
    """The activation's backward equals the finite differences of its forward."""
    return _mismatch("the gradient", outputs[0], expected[0])


# --- mlp_loss_and_grads ---------------------------------------------------------------------


def _mlp(rng: np.random.Generator, lead: tuple[int, ...], d_in: int, h: int, C: int) -> dict:
    return {
        "x": rng.normal(size=(*lead, d_in)),
        "targets": rng.integers(0, C, size=lead),
        "W1": rng.normal(size=(d_in, h)),
        "b1": 0.5 * rng.normal(size=h),
        "W2": rng.normal(size=(h, C)),
        "b2": 0.5 * rng.normal(size=C),
    }


def small_mlp(rng: np.random.Generator) -> dict:
    """x (4, 3), hidden 5, 3 classes."""
    return _mlp(rng, (4,), 3, 5, 3)


def wider_mlp(rng: np.random.Generator) -> dict:
    """x (6, 5), hidden 7, 4 classes."""
    return _mlp(rng, (6,), 5, 7, 4)


def sequence_mlp(rng: np.random.Generator) -> dict:
    """x (2, 3, 4) with (2, 3) targets, hidden 6, 3 classes."""
    return _mlp(rng, (2, 3), 4, 6, 3)


def mlp_finite_differences(calls: list[Call]) -> list[dict]:
    """Central differences of the reference loss in W1, b1, W2 and b2."""
    kw = {
        k: (np.asarray(v, dtype=float) if k != "targets" else v) for k, v in calls[0].kwargs.items()
    }

    def loss(name: str, value: np.ndarray) -> float:
        return float(reference.mlp_loss_and_grads(**{**kw, name: value})[0])

    names = ("W1", "b1", "W2", "b2")
    return [{n: _central(lambda v, n=n: loss(n, v), kw[n]) for n in names}]


def mlp_matches_loss(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Each returned gradient equals finite differences of the reference loss."""
    result = outputs[0]
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[1], dict):
        return "mlp_loss_and_grads should return (loss, {'W1', 'b1', 'W2', 'b2'})"
    grads = result[1]
    for name, numeric in expected[0].items():
        if name not in grads:
            return f"the gradients have no {name!r}"
        problem = _mismatch(f"grads[{name!r}]", grads[name], numeric)
        if problem:
            return problem
    return None
