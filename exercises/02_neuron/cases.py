"""Input generators and properties for exercise 02 (instructor side, grader's process)."""

import numpy as np

from grader.spec import Call

EXTREMES = np.array([0.0, 1e-3, -1e-3, 1000.0, -1000.0])
ACTIVATIONS = ["relu", "sigmoid", "tanh", "gelu", "gelu_tanh"]
# the range each activation's outputs must lie in
RANGES = {
    "relu": (0.0, np.inf),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "gelu": (-0.17, np.inf),
    "gelu_tanh": (-0.171, np.inf),
}


def extremes(rng: np.random.Generator) -> dict:
    """x = [0, 1e-3, -1e-3, 1000, -1000]."""
    return {"x": EXTREMES.copy()}


def every_activation_at_extremes(rng: np.random.Generator) -> list[Call]:
    """Each of the five activations on [0, ±1e-3, ±1000]."""
    return [Call(fn, {"x": EXTREMES.copy()}) for fn in ACTIVATIONS]


def finite_and_in_range(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Every output is finite, inside its activation's range, and equal to the expected."""
    for call, out, want in zip(calls, outputs, expected, strict=True):
        y = np.asarray(out, dtype=float)
        if not np.all(np.isfinite(y)):
            return f"{call.fn} returned nan or inf for an input of ±1000 or near 0"
        low, high = RANGES[call.fn]
        if np.any(y < low) or np.any(y > high):
            return f"{call.fn} returned a value outside [{low}, {high}]"
        if not np.allclose(y, want, rtol=1e-6, atol=1e-9):
            return f"{call.fn} is finite and in range, but its values differ from the expected"
    return None


def gelu_grid(rng: np.random.Generator) -> dict:
    """25 points from -3 to 3."""
    return {"x": np.linspace(-3.0, 3.0, 25)}


def gelu_where_approximations_differ(rng: np.random.Generator) -> dict:
    """Points with |x| between 1.5 and 3.5, where the GELU approximations differ most."""
    x = rng.uniform(1.5, 3.5, size=(3, 4))
    return {"x": x * rng.choice([-1.0, 1.0], size=x.shape)}


def neuron_with_each_activation(rng: np.random.Generator) -> list[Call]:
    """One random neuron of 4 inputs, evaluated with each activation name."""
    x, w, b = rng.normal(size=4), rng.normal(size=4), float(rng.normal())
    names = ["relu", "sigmoid", "tanh", "gelu", "identity"]
    return [Call("neuron", {"x": x, "w": w, "b": b, "activation": a}) for a in names]


def negative_neuron(rng: np.random.Generator) -> dict:
    """A neuron whose weighted sum is negative, with the default activation."""
    x = rng.uniform(0.5, 1.0, size=5)
    w = -rng.uniform(0.5, 1.0, size=5)
    return {"x": x, "w": w, "b": 0.25}


def small_dense(rng: np.random.Generator) -> dict:
    """x (4, 3), W (3, 5), b (5,) with exact GELU."""
    return {
        "x": rng.normal(size=(4, 3)),
        "W": rng.normal(size=(3, 5)),
        "b": rng.normal(size=5),
        "activation": "gelu",
    }


def batched_dense(rng: np.random.Generator) -> list[Call]:
    """x (2, 3, 4) through W (4, 6), once with each of tanh, sigmoid and identity."""
    x, W, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 6)), rng.normal(size=6)
    return [
        Call("dense", {"x": x, "W": W, "b": b, "activation": a})
        for a in ("tanh", "sigmoid", "identity")
    ]


def other_networks(rng: np.random.Generator) -> list[Call]:
    """Three more networks: a digit classifier, one neuron, and five layers."""
    shapes = [[784, 128, 10], [10, 1], [2, 3, 4, 5, 6]]
    return [Call("count_parameters", {"layer_sizes": s}) for s in shapes]
