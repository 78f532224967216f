"""Comparison: shape guesses, NaN/inf, tolerance edges, worst-element diagnostics."""

from __future__ import annotations

import numpy as np
import pytest

from grader.compare import CoerceError, coerce, compare_arrays, compare_values, shape_guess


@pytest.mark.parametrize(
    ("expected", "got", "guess"),
    [
        ((3, 5), (5, 3), "did you transpose?"),
        ((2, 3, 5), (2, 5, 3), "did you transpose the last two axes?"),
        ((4, 3, 5), (3, 5), "missing batch dimension"),
        ((3, 5), (1, 3, 5), "extra leading dimension"),
        ((4, 1), (4,), "a reduced axis was dropped (keepdims=True?)"),
        ((3,), (), "returned a single number, expected an array"),
        ((6,), (2, 3), "right number of elements in the wrong shape"),
        ((6,), (7,), None),
    ],
)
def test_shape_guess(expected: tuple[int, ...], got: tuple[int, ...], guess: str | None) -> None:
    assert shape_guess(expected, got) == guess


def test_shape_mismatch_message() -> None:
    v = compare_arrays(np.zeros((5, 3)), np.zeros((3, 5)), 1e-6, 1e-9)
    assert not v.ok
    assert v.message == "expected shape (3, 5), got (5, 3); did you transpose?"


def test_nan_reported_with_first_index_and_count() -> None:
    got = np.array([[0.1, np.nan], [np.inf, np.nan]])
    v = compare_arrays(got, np.full((2, 2), 0.25), 1e-6, 1e-9)
    assert v.message == "returned nan at [0, 1] (and 2 more of 4 elements)"


def test_expected_nan_matches_nan() -> None:
    assert compare_arrays(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), 1e-6, 1e-9).ok


def test_tolerance_edges() -> None:
    expected = np.array([1.0, 100.0])
    # allowed error at 100 with rtol=1e-6, atol=1e-9 is 1e-9 + 1e-4
    inside = expected + np.array([0.0, 0.99e-4])
    outside = expected + np.array([0.0, 1.01e-4])
    assert compare_arrays(inside, expected, 1e-6, 1e-9).ok
    assert not compare_arrays(outside, expected, 1e-6, 1e-9).ok
    assert compare_arrays(np.array([1e-10]), np.array([0.0]), 1e-6, 1e-9).ok
    assert not compare_arrays(np.array([2e-9]), np.array([0.0]), 1e-6, 1e-9).ok


def test_worst_element_and_fraction() -> None:
    expected = np.arange(6, dtype=float).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 6.5  # error 1.5 at [1, 2]
    got[0, 1] = 1.25  # error 0.25 at [0, 1]
    v = compare_arrays(got, expected, 1e-6, 1e-9)
    assert v.message == "max abs error 1.5 at [1, 2] (expected 5, got 6.5)"
    assert v.details[0].startswith("max rel error 0.3; 2 of 6 elements differ")


def test_exact_compare_has_no_tolerance() -> None:
    assert not compare_arrays(np.array([1.0 + 1e-12]), np.array([1.0]), 0, 0, exact=True).ok
    assert compare_arrays(np.array([3.0]), np.array([3.0]), 0, 0, exact=True).ok


def test_structures_compared_item_by_item() -> None:
    expected = (np.ones(2), {"W": np.zeros((2, 2)), "b": np.zeros(2)})
    got = (np.ones(2), {"W": np.zeros((2, 2)), "b": np.array([0.0, 0.5])})
    v = compare_values(got, expected, 1e-6, 1e-9)
    assert v.message.startswith("[1]['b']: max abs error 0.5 at [1]")
    assert (
        "missing key(s) 'b'"
        in compare_values((np.ones(2), {"W": np.zeros((2, 2))}), expected, 1e-6, 1e-9).message
    )
    assert compare_values((np.ones(2),), expected, 1e-6, 1e-9).message == (
        "returned 1 values, expected 2"
    )


def test_lists_of_ints_and_strings() -> None:
    assert compare_values([(1, 2), (3, 4)], [(1, 2), (3, 4)], 0, 0, exact=True).ok
    assert not compare_values([(1, 2)], [(1, 2), (3, 4)], 0, 0, exact=True).ok
    assert compare_values("héllo", "héllo", 0, 0).ok
    assert compare_values("hallo", "héllo", 0, 0).message == "expected 'héllo', got 'hallo'"


def test_coerce_rejects_non_numbers() -> None:
    assert coerce([1, 2]).dtype == np.float64
    assert coerce(True).dtype == np.float64
    for bad in ("1.0", None, {"a": 1}):
        with pytest.raises(CoerceError):
            coerce(bad)
    assert compare_values("0.5", 0.5, 1e-6, 1e-9).message == "returned a str, expected numbers"


def test_shape_mismatch_names_the_first_misshapen_output_only() -> None:
    from grader.compare import shape_mismatch

    ok, flat = np.zeros((4, 7)), np.zeros(28)
    assert shape_mismatch([flat], [ok]) is not None
    assert shape_mismatch([flat], [ok]).message == (  # type: ignore[union-attr]
        "expected shape (4, 7), got (28,); right number of elements in the wrong shape"
    )
    two = shape_mismatch([ok, np.zeros((7, 4))], [ok, ok])
    assert (
        two is not None
        and two.message == "call 2: expected shape (4, 7), got (7, 4); did you transpose?"
    )
    assert shape_mismatch([ok], [ok]) is None
    assert shape_mismatch(["text"], [ok]) is None  # not an array: the caller says what it can
    assert shape_mismatch([flat], None) is None


@pytest.mark.parametrize(
    ("message", "summary"),
    [
        ("expected shape (4, 7), got (28,)", "wrong shape"),
        ("max abs error 0.5 at [1] (expected 1, got 1.5)", "wrong values"),
        ("your output could not be checked: IndexError", None),  # said as it is
    ],
)
def test_hidden_summaries_name_no_values(message: str, summary: str | None) -> None:
    from grader.compare import Verdict, summarise_failure

    assert summarise_failure(Verdict(False, message)) == (summary or message)


def test_float32_output_is_named_and_shown_with_all_its_digits() -> None:
    expected = np.array([0.1, 0.2, 0.3])
    verdict = compare_values(expected.astype(np.float32), expected, rtol=1e-12, atol=0.0)
    assert not verdict.ok
    # 0.3 and float32(0.3) agree to 6 digits, so every digit is shown
    assert "expected 0.3, got 0.30000001192092896" in verdict.message
    assert any("your output is float32" in d for d in verdict.details)
    assert not any(
        "float32" in d for d in compare_values(expected + 1, expected, 1e-6, 0.0).details
    )


def test_no_relative_error_where_zero_was_expected() -> None:
    v = compare_arrays(np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.0, 2.0]), 1e-6, 1e-9)
    assert v.message == "max abs error 1 at [1] (expected 0, got 1)"
    assert v.details == ["1 of 3 elements differ (rtol=1e-06, atol=1e-09)"]
    v = compare_arrays(np.array([0.0, 1.0, 3.0]), np.array([0.0, 0.0, 2.0]), 1e-6, 1e-9)
    assert v.details[0].startswith("max rel error 0.5; 2 of 3")  # |3 - 2| / 2, the only nonzero


def test_bpe_merges_are_shown_as_pairs_with_their_bytes() -> None:
    # the worked example "aaabdaaabac": (97, 97) -> 256 'aa', (256, 97) -> 257 'aaa', (257, 98)
    wikipedia = [[97, 97], [256, 97], [257, 98]]
    v = compare_values([(97, 97), (97, 98)], wikipedia, 0, 0, exact=True)
    assert v.message == (
        "expected 3 merges, got 2; merge 1: expected (256, 97) 'aa'+'a', got (97, 98) 'a'+'b'"
    )
    v = compare_values([(97, 97), (256, 97), (257, 99)], wikipedia, 0, 0, exact=True)
    assert v.message == "merge 2: expected (257, 98) 'aaa'+'b', got (257, 99) 'aaa'+'c'"
    assert compare_values([(97, 97), (256, 97), (257, 98)], wikipedia, 0, 0, exact=True).ok


def test_token_ids_are_compared_item_by_item() -> None:
    expected = [258, 100, 258, 97, 99]
    v = compare_values([258, 100, 258], expected, 0, 0, exact=True)
    assert v.message == "expected 5 items, got 3; the next expected item is 97"
    v = compare_values([258, 100, 257, 97, 99], expected, 0, 0, exact=True)
    assert v.message == "item 2: expected 258, got 257"
    v = compare_values([[1, 2], [3, 4]], [[1, 2], [3, 5]], 0, 0, exact=True)
    assert v.message == "item 1: expected (3, 5), got (3, 4)"  # not merges: no id >= 256
