"""Input generators and properties for exercise 03 (instructor side, grader's process)."""

import numpy as np

from grader.spec import Call

VALUES_DIFFER = "the property holds, but the values differ from the expected ones"


def _values_match(outputs: list, expected: list) -> bool:
    """Every output equals the reference's: a property alone must not earn credit for
    trivial outputs (all zeros are shift-invariant; uniform rows sum to 1)."""
    return all(
        np.shape(o) == np.shape(e) and np.allclose(o, e, rtol=1e-6, atol=1e-9)
        for o, e in zip(outputs, expected, strict=True)
    )


def logits(rng: np.random.Generator) -> dict:
    """4×7 logits of moderate size."""
    return {"x": 3.0 * rng.normal(size=(4, 7))}


def rows_sum_to_one(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Each output is a probability distribution along the last axis."""
    p = np.asarray(outputs[0], dtype=float)
    if np.any(p < 0) or np.any(p > 1):
        return "some probabilities are outside [0, 1]"
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        worst = int(np.argmax(np.abs(sums - 1.0)))
        return f"row {worst} sums to {sums[worst]:.6g}, not 1"
    return None if _values_match(outputs, expected) else VALUES_DIFFER


def large_logits(rng: np.random.Generator) -> dict:
    """4×7 logits of size ±1e4."""
    return {"x": 1e4 * rng.normal(size=(4, 7))}


def large_logits_batch(rng: np.random.Generator) -> dict:
    """(B, T, C) = (2, 3, 6) logits of size ±1e4."""
    return {"x": 1e4 * rng.normal(size=(2, 3, 6))}


def shifted_pair(rng: np.random.Generator) -> list[Call]:
    """The same 3×5 logits twice, the second time plus a constant of about 800."""
    x = rng.normal(size=(3, 5))
    c = float(rng.uniform(750.0, 800.0))
    return [Call("softmax", {"x": x}), Call("softmax", {"x": x + c})]


def same_outputs(calls: list[Call], outputs: list, expected: list) -> str | None:
    """softmax(x + c) equals softmax(x)."""
    a, b = (np.asarray(o, dtype=float) for o in outputs)
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=False):
        return "softmax(x + c) differs from softmax(x): adding a constant must change nothing"
    return None if _values_match(outputs, expected) else VALUES_DIFFER


def axis0_3d(rng: np.random.Generator) -> dict:
    """(3, 4, 5) logits, normalised along axis 0."""
    return {"x": 2.0 * rng.normal(size=(3, 4, 5)), "axis": 0}


def axis1_3d(rng: np.random.Generator) -> dict:
    """(2, 6, 3) logits, log-softmax along axis 1."""
    return {"x": 2.0 * rng.normal(size=(2, 6, 3)), "axis": 1}


def half_temperature(rng: np.random.Generator) -> dict:
    """3×6 logits at temperature 0.5."""
    return {"x": rng.normal(size=(3, 6)), "temperature": 0.5}


def temperature_extremes(rng: np.random.Generator) -> list[Call]:
    """Logits with distinct values at least 1 apart, at temperature 0.01 and 10000."""
    x = rng.permutation(np.arange(6.0)) + rng.uniform(0.0, 0.5, size=6)
    return [
        Call("softmax", {"x": x, "temperature": 0.01}),
        Call("softmax", {"x": x, "temperature": 1e4}),
    ]


def one_hot_then_uniform(calls: list[Call], outputs: list, expected: list) -> str | None:
    """Low temperature gives (almost) one-hot at the argmax; high gives (almost) uniform."""
    x = np.asarray(calls[0].kwargs["x"], dtype=float)
    cold, hot = (np.asarray(o, dtype=float) for o in outputs)
    one_hot = np.eye(x.size)[int(np.argmax(x))]
    if cold.shape != x.shape or not np.allclose(cold, one_hot, atol=1e-6):
        return "at temperature 0.01 softmax should put almost all probability on the top logit"
    if hot.shape != x.shape or not np.allclose(hot, 1.0 / x.size, atol=1e-3):
        return "at temperature 10000 softmax should be (almost) uniform"
    return None if _values_match(outputs, expected) else VALUES_DIFFER


def extreme_log_logits(rng: np.random.Generator) -> dict:
    """4×5 logits of size ±1e4: most softmax probabilities underflow to 0."""
    return {"x": 1e4 * rng.normal(size=(4, 5))}


def softmax_and_log_softmax(rng: np.random.Generator) -> list[Call]:
    """The same moderate 3×4 logits through softmax and log_softmax."""
    x = 2.0 * rng.normal(size=(3, 4))
    return [Call("softmax", {"x": x}), Call("log_softmax", {"x": x})]


def log_of_softmax(calls: list[Call], outputs: list, expected: list) -> str | None:
    """log_softmax(x) equals log(softmax(x)) where the latter is finite."""
    p, logp = (np.asarray(o, dtype=float) for o in outputs)
    if p.shape != logp.shape or not np.allclose(logp, np.log(p), rtol=1e-9, atol=1e-12):
        return "log_softmax(x) differs from log(softmax(x)) on moderate logits"
    return None if _values_match(outputs, expected) else VALUES_DIFFER
