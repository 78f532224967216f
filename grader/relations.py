"""Name the simple relation between a wrong array and the expected one.

A wrong output is often the right one seen through a simple transformation: the sign
flipped, the axes swapped, a forgotten scale factor, a shift by one position. When no known
misconception matches, `find_relation(got, expected, inputs)` tries these, in order, and
returns one line naming the first that holds (with its factor, axis or shift), or None:

    all zeros            got = 0
    sign flipped         got = -expected
    constant factor      got = c * expected    (c named: 2, 1/2, n, 1/n, sqrt(n), 1/sqrt(n),
                                                n/(n-1), (n-1)/n for an axis length n)
    missing term         got = expected -/+ x  for an input array x of the same shape
    constant offset      got = expected + c, or + c_i per slice along one axis
    shifted              got[i] = expected[i -/+ 1] along one axis
    reordered            got = expected[perm] along one axis
    normalised elsewhere expected sums to 1 (or has mean 0, variance 1) along axis a; got
                         along axis b instead
    axes permuted        got = expected.transpose(p)   (the one relation that may change shape)

Each relation must hold for every element within a tight tolerance
(|a - b| <= 1e-5 |b| + 1e-8 max|expected|), and is only tried where it is informative (a
shift of an array that is constant along that axis, or a factor fitted to a single number,
proves nothing), so a correct output or unrelated noise names nothing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

RTOL = 1e-5


def find_relation(got: Any, expected: Any, inputs: Mapping[str, Any] | None = None) -> str | None:
    """One line naming how `got` relates to `expected`, or None (see the module docstring).

    `inputs` are the call's arguments by name; arrays of the expected shape are tried as the
    missing (or doubled) term. Values that are not plain number arrays relate to nothing.
    """
    g, e = _as_array(got), _as_array(expected)
    if g is None or e is None or e.size < 2 or not np.all(np.isfinite(e)):
        return None
    if not np.all(np.isfinite(g)) or (g.shape == e.shape and _close(g, e, e)):
        return None
    relations = _SAME_SHAPE if g.shape == e.shape else ()
    for relation in (*relations, _permuted_axes):
        found = relation(g, e, inputs or {})
        if found is not None:
            return found
    return None


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, (str, bytes, dict)) or value is None:
        return None
    try:
        arr = np.asarray(value)
    except ValueError:
        return None
    return arr.astype(np.float64) if arr.dtype.kind in "biuf" else None


def _close(a: np.ndarray, b: np.ndarray, expected: np.ndarray) -> bool:
    """a = b everywhere, to a tolerance scaled by the expected array's magnitude."""
    if a.shape != b.shape:
        return False
    scale = float(np.max(np.abs(expected)))
    return bool(np.allclose(a, b, rtol=RTOL, atol=1e-8 * scale + 1e-300))


def _axes(shape: tuple[int, ...], shortest: int) -> list[int]:
    """The axes at least `shortest` long (a relation along a shorter one proves nothing)."""
    return [axis for axis, length in enumerate(shape) if length >= shortest]


def _zeros(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    if not np.any(g) and np.any(e):
        return "your output is all zeros"
    return None


def _sign(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    if np.any(e) and _close(g, -e, e):
        return "your output is the expected one with its sign flipped"
    return None


def _factor(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    norm = float(np.sum(e * e))
    if norm == 0.0:
        return None
    c = float(np.sum(g * e)) / norm
    if abs(c) < 1e-12 or math.isclose(abs(c), 1.0, rel_tol=RTOL) or not _close(g, c * e, e):
        return None
    name = _name_factor(c, e.shape)
    return f"your output is the expected one times {c:.6g}" + (f" (= {name})" if name else "")


def _name_factor(c: float, shape: tuple[int, ...]) -> str | None:
    """The usual factor `c` is close to, written with the axis length it comes from."""
    for text, value in _usual_factors(shape):
        if math.isclose(c, value, rel_tol=1e-4):
            return text
        if math.isclose(c, -value, rel_tol=1e-4):
            return f"-{text}"
    return None


def _usual_factors(shape: tuple[int, ...]) -> Iterator[tuple[str, float]]:
    yield "2", 2.0
    yield "1/2", 0.5
    lengths = sorted({n for n in (*shape, math.prod(shape)) if n >= 2})
    for n in lengths:
        where = _where_length(n, shape)
        yield f"{n}{where}", float(n)
        yield f"1/{n}{where}", 1 / n
        yield f"sqrt({n}){where}", math.sqrt(n)
        yield f"1/sqrt({n}){where}", 1 / math.sqrt(n)
        yield f"{n}/{n - 1}{where}", n / (n - 1)
        yield f"{n - 1}/{n}{where}", (n - 1) / n


def _where_length(n: int, shape: tuple[int, ...]) -> str:
    axes = [str(i) for i, length in enumerate(shape) if length == n]
    if axes:
        return f", {n} = the length of axis{'es' if len(axes) > 1 else ''} {' and '.join(axes)}"
    return f", {n} = the number of elements"


def _missing_term(g: np.ndarray, e: np.ndarray, inputs: Mapping[str, Any]) -> str | None:
    for name, value in inputs.items():
        x = _as_array(value)
        if x is None or x.shape != e.shape or not np.any(x):
            continue
        if _close(g, e - x, e):
            return f"your output is the expected one minus the input {name!r}: a term is missing"
        if _close(g, e + x, e):
            return f"your output is the expected one plus the input {name!r}: a term is extra"
    return None


def _offset(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    d = g - e
    if _close(d, np.full_like(d, d.mean()), e):
        return f"your output is the expected one plus a constant {d.mean():.6g}"
    for axis in _axes(d.shape, 2) if d.ndim >= 2 else []:
        per_slice = d.mean(axis=axis, keepdims=True)
        if _close(d, np.broadcast_to(per_slice, d.shape), e):
            return f"your output is off by a constant per {_slice_name(axis, d.ndim)}"
    return None


def _slice_name(axis: int, ndim: int) -> str:
    """The slice along which one constant applies: a row is constant along the last axis."""
    if ndim == 2:
        return "row" if axis == 1 else "column"
    return f"slice along axis {axis}"


def _permuted_axes(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    if e.ndim < 2 or e.ndim > 4:
        return None
    for perm in itertools.permutations(range(e.ndim)):
        if perm == tuple(range(e.ndim)):
            continue
        moved = e.transpose(perm)
        if moved.shape == g.shape and _close(g, moved, e):
            if e.ndim == 2:
                return "your output is the expected one transposed"
            return f"your output is the expected one with its axes in the order {perm}"
    return None


def _shifted(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    for axis in _axes(e.shape, 3):
        head = [slice(None)] * e.ndim
        tail = [slice(None)] * e.ndim
        head[axis], tail[axis] = slice(None, -1), slice(1, None)
        e_head, e_tail = e[tuple(head)], e[tuple(tail)]
        if _close(e_tail, e_head, e):  # constant along this axis: a shift is invisible
            continue
        along = f" along axis {axis}" if e.ndim > 1 else ""
        if _close(g[tuple(tail)], e_head, e):
            return f"your output is shifted by one position{along}: got[i] = expected[i-1]"
        if _close(g[tuple(head)], e_tail, e):
            return f"your output is shifted by one position{along}: got[i] = expected[i+1]"
    return None


def _reordered(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    for axis in _axes(e.shape, 2):
        length = e.shape[axis]
        expected_slices = [np.take(e, j, axis=axis) for j in range(length)]
        order = []
        for i in range(length):
            row = np.take(g, i, axis=axis)
            matches = [j for j, s in enumerate(expected_slices) if _close(row, s, e)]
            if len(matches) != 1:
                break
            order.append(matches[0])
        else:
            if sorted(order) == list(range(length)) and order != list(range(length)):
                what = "items" if e.ndim == 1 else f"slices along axis {axis}"
                return f"your output has the expected {what} in another order: {order}"
    return None


def _normalised_elsewhere(g: np.ndarray, e: np.ndarray, _: Mapping[str, Any]) -> str | None:
    if e.ndim < 2:
        return None
    for kind, test in (("sums to 1", _sums_to_one), ("has mean 0 and variance 1", _standard)):
        want = [a for a in _axes(e.shape, 2) if test(e, a)]
        have = [a for a in _axes(g.shape, 2) if test(g, a)]
        if want and have and not set(want) & set(have):
            return (
                f"your output {kind} along axis {have[0]}; the expected one along axis "
                f"{want[0]}: check the axis you normalise over"
            )
    return None


def _sums_to_one(a: np.ndarray, axis: int) -> bool:
    total = a.sum(axis=axis)
    return bool(np.allclose(total, 1.0, rtol=RTOL, atol=1e-8))


def _standard(a: np.ndarray, axis: int) -> bool:
    mean, var = a.mean(axis=axis), a.var(axis=axis)
    return bool(np.allclose(mean, 0.0, atol=1e-6) and np.allclose(var, 1.0, rtol=1e-2))


_SAME_SHAPE = (  # tried in this order, then `_permuted_axes`, the one that may reshape
    _zeros,
    _sign,
    _factor,
    _missing_term,
    _offset,
    _shifted,
    _reordered,
    _normalised_elsewhere,
)
