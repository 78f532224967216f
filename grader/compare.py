"""Coerce a student's output and compare it with the expected value, with diagnostics.

Order of the comparison: structure (tuple/dict/list), then shape (with a guess such as
"did you transpose?"), then NaN/inf, then values. A failed `allclose` reports the largest
absolute and relative error, the index of the worst element with both values, and how many
elements are wrong. An element is wrong when

    |got - expected| > atol + rtol * |expected|        (numpy.isclose)

and the relative error is |got - expected| / max(|expected|, 1e-300).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Verdict:
    """The outcome of one comparison: ok, a one-line message and diagnostic lines."""

    ok: bool
    message: str = ""
    details: list[str] = field(default_factory=list)


PASS = Verdict(True)


class CoerceError(ValueError):
    """A value that cannot stand for a number array (object, string, ...)."""


def coerce(value: Any) -> np.ndarray:
    """`np.asarray(value, dtype=float64)`, refusing anything that is not plain numbers."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise CoerceError(f"returned {_kind(value)}, expected numbers")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise CoerceError(f"returned a ragged sequence ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise CoerceError(f"returned {_kind(value)} of {arr.dtype} values, expected numbers")
    return np.asarray(arr, dtype=np.float64)


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def fmt_num(x: float) -> str:
    return f"{x:.6g}"


def shape_guess(expected: tuple[int, ...], got: tuple[int, ...]) -> str | None:
    """A likely reason for a shape mismatch, or None."""
    if got == ():
        return "returned a single number, expected an array"
    if len(got) == len(expected) >= 2 and got == expected[::-1]:
        return "did you transpose?"
    if len(got) == len(expected) >= 2 and got == expected[:-2] + expected[-2:][::-1]:
        return "did you transpose the last two axes?"
    if got == expected[1:]:
        return "missing batch dimension"
    if got[1:] == expected:
        return "extra leading dimension"
    if len(got) == len(expected) - 1 and any(
        expected[:i] + expected[i + 1 :] == got and expected[i] == 1 for i in range(len(expected))
    ):
        return "a reduced axis was dropped (keepdims=True?)"
    if int(np.prod(got)) == int(np.prod(expected)):
        return "right number of elements in the wrong shape"
    return None


def compare_arrays(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, exact: bool = False
) -> Verdict:
    """Compare two float64 arrays: shape, non-finite values, then values."""
    if got.shape != expected.shape:
        guess = shape_guess(expected.shape, got.shape)
        message = f"expected shape {expected.shape}, got {got.shape}"
        return Verdict(False, message + (f"; {guess}" if guess else ""))
    bad_finite = ~np.isfinite(got) & np.isfinite(expected)
    if bad_finite.any():
        index = tuple(np.argwhere(bad_finite)[0])
        count = int(bad_finite.sum())
        more = f" (and {count - 1} more of {got.size} elements)" if count > 1 else ""
        return Verdict(False, f"returned {got[index]} at {fmt_index(index)}{more}")
    if exact:
        wrong = ~((got == expected) | (np.isnan(got) & np.isnan(expected)))
    else:
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return PASS
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.where(wrong, np.abs(got - expected), 0.0)
        err = np.nan_to_num(err, nan=np.inf)
        relative = wrong & (expected != 0)  # no relative error where 0 was expected
        rel = np.where(relative, err / np.where(relative, np.abs(expected), 1.0), 0.0)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
    where = f" at {fmt_index(worst)}" if got.ndim else ""
    want, have = fmt_num(expected[worst]), fmt_num(got[worst])
    if want == have:  # differ beyond the digits shown: show them all
        want, have = repr(float(expected[worst])), repr(float(got[worst]))
    message = f"max abs error {fmt_num(err[worst])}{where} (expected {want}, got {have})"
    tolerance = "" if exact else f" (rtol={rtol:g}, atol={atol:g})"
    summary = f"{int(wrong.sum())} of {got.size} elements differ{tolerance}"
    if relative.any():
        summary = f"max rel error {fmt_num(float(np.max(rel)))}; {summary}"
    return Verdict(False, message, [summary])


def compare_values(
    got: Any, expected: Any, rtol: float, atol: float, exact: bool = False, label: str = ""
) -> Verdict:
    """Compare a (nested) student value with the expected one.

    Tuples/lists of arrays and dicts are compared item by item (the first difference is
    reported, labelled like ``output[1]`` or ``output['W1']``); strings exactly; everything
    else as float64 arrays.
    """
    where = f"{label}: " if label else ""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Verdict(False, f"{where}returned {_kind(got)}, expected a dict")
        missing = [k for k in expected if k not in got]
        if missing:
            return Verdict(False, f"{where}missing key(s) " + ", ".join(map(repr, missing)))
        for key in expected:
            v = compare_values(got[key], expected[key], rtol, atol, exact, f"{label}[{key!r}]")
            if not v.ok:
                return v
        return PASS
    if isinstance(expected, str):
        if got == expected:
            return PASS
        return Verdict(False, f"{where}expected {expected[:60]!r}, got {_short(got)}")
    if _is_structured(expected):
        if exact and _is_int_sequence(expected) and _is_int_sequence(got):
            return _compare_int_sequences(got, expected, where)
        if not isinstance(got, (list, tuple)) or _is_numeric_sequence(expected):
            return _compare_leaf(got, expected, rtol, atol, exact, where)
        if len(got) != len(expected):
            return Verdict(False, f"{where}returned {len(got)} values, expected {len(expected)}")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            v = compare_values(g, e, rtol, atol, exact, f"{label}[{i}]")
            if not v.ok:
                return v
        return PASS
    return _compare_leaf(got, expected, rtol, atol, exact, where)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_structured(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_numeric_sequence(value: Any) -> bool:
    """A list/tuple that is one rectangular number array (e.g. token ids, merges)."""
    try:
        arr = np.asarray(value)
    except ValueError:
        return False
    return arr.dtype.kind in "biuf"


def _is_int_sequence(value: Any) -> bool:
    """A list/tuple of ints or of equal-length int tuples (token ids, BPE merges)."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    try:
        arr = np.asarray(value)
    except ValueError:
        return False
    return arr.dtype.kind in "iu" and arr.ndim in (1, 2)


def _compare_int_sequences(got: Any, expected: Any, where: str) -> Verdict:
    """Item by item: the first differing item, and the lengths when they differ
    (``item 1: expected (256, 97), got (97, 98)``)."""
    want = [_item(x) for x in expected]
    have = [_item(x) for x in got]
    if want == have:
        return PASS
    first = next((i for i, (w, h) in enumerate(zip(want, have, strict=False)) if w != h), None)
    merges = _merge_texts(want)
    noun = "merge" if merges else "item"

    def show(value: int | tuple[int, ...]) -> str:
        if merges is None or not isinstance(value, tuple):
            return str(value)
        return f"{value} " + "+".join(repr(_token_text(i, merges)) for i in value)

    parts = []
    if len(want) != len(have):
        parts.append(f"expected {len(want)} {noun}s, got {len(have)}")
    if first is not None:
        parts.append(f"{noun} {first}: expected {show(want[first])}, got {show(have[first])}")
    elif len(have) > len(want):
        parts.append(f"the first extra {noun} is {show(have[len(want)])}")
    else:
        parts.append(f"the next expected {noun} is {show(want[len(have)])}")
    return Verdict(False, where + "; ".join(parts))


def _merge_texts(items: list[int | tuple[int, ...]]) -> list[bytes] | None:
    """When `items` are byte-level BPE merges (pairs whose ids are bytes, < 256, or earlier
    merges, 256 + index), the bytes each merge stands for; otherwise None."""
    texts: list[bytes] = []
    chained = False
    for index, item in enumerate(items):
        if not isinstance(item, tuple) or len(item) != 2:
            return None
        if any(i < 0 or i >= 256 + index for i in item):
            return None
        chained = chained or max(item) >= 256
        texts.append(b"".join(_token_bytes(i, texts) for i in item))
    return texts if chained else None


def _token_bytes(token: int, merges: list[bytes]) -> bytes:
    return bytes([token]) if token < 256 else merges[token - 256]


def _token_text(token: int, merges: list[bytes]) -> str:
    if token >= 256 + len(merges):
        return f"<{token}>"
    return _token_bytes(token, merges).decode("utf-8", errors="replace")


def _item(value: Any) -> int | tuple[int, ...]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(int(v) for v in value)
    return int(value)


def _compare_leaf(got: Any, expected: Any, rtol: float, atol: float, exact: bool, where: str):
    try:
        g = coerce(got)
    except CoerceError as exc:
        return Verdict(False, f"{where}{exc}")
    v = compare_arrays(g, coerce(expected), rtol, atol, exact)
    if v.ok:
        return v
    dtype = getattr(got, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype.itemsize < 8:
        v = Verdict(False, v.message, [*v.details, LOW_PRECISION.format(dtype=dtype)])
    return Verdict(False, where + v.message, v.details) if where else v


LOW_PRECISION = (
    "your output is {dtype}: it keeps about 7 digits, fewer than the check needs; "
    "compute in float64 (np.asarray(x, dtype=float))"
)


CANNOT_CHECK = "your output could not be checked"


def shape_mismatch(outputs: list[Any], expected: list[Any] | None) -> Verdict | None:
    """The first output whose array shape is not the expected one's, as `compare_arrays`
    says it ("expected shape (4, 7), got (28,)"), or None (outputs that are not plain
    arrays, like tuples of arrays, are skipped)."""
    for i, (got, want) in enumerate(zip(outputs, expected or [], strict=False)):
        try:
            g, w = coerce(got), coerce(want)
        except CoerceError:
            continue
        if g.shape != w.shape:
            label = f"call {i + 1}: " if len(outputs) > 1 else ""
            return Verdict(False, label + compare_arrays(g, w, 0.0, 0.0).message)
    return None


def summarise_failure(verdict: Verdict) -> str:
    """A value-free summary of a failed comparison, for hidden checks."""
    text = verdict.message
    if text.startswith(CANNOT_CHECK):
        return text  # names an exception class only
    if "shape" in text:
        return "wrong shape"
    if "nan" in text or "inf" in text:
        return "returned nan or inf where the expected values are finite"
    if "returned" in text or "missing" in text:
        return "returned the wrong kind of value"
    return "wrong values"
