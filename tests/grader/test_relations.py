"""`grader.relations`: each relation is found on random shapes, with the factor, axis or
shift it names; a correct output and unrelated noise name nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.relations import find_relation

SEEDS = range(20)


def _shape(rng: np.random.Generator, ndim: int) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(3, 7, size=ndim))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_correct_output_or_unrelated_noise_names_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=_shape(rng, 1 + seed % 3))
    assert find_relation(expected.copy(), expected) is None
    assert find_relation(expected + 1e-12, expected) is None
    noise = rng.normal(size=expected.shape)
    assert find_relation(noise, expected, {"x": rng.normal(size=expected.shape)}) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_a_softmax_and_a_layernorm_against_noise_name_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=_shape(rng, 2))
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    other = rng.random(x.shape)
    assert find_relation(other / other.sum(axis=-1, keepdims=True), expected) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_zeros_and_sign(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=_shape(rng, 2))
    assert find_relation(np.zeros_like(expected), expected) == "your output is all zeros"
    assert "sign flipped" in str(find_relation(-expected, expected))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_constant_factor_is_named_with_the_axis_length_it_comes_from(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(8, 10)), int(rng.choice([3, 5, 6, 7])))  # sqrt(4) would be 2
    expected = rng.normal(size=shape)
    d = shape[1]
    found = find_relation(expected / math.sqrt(d), expected)
    assert found is not None and f"1/sqrt({d})" in found and "axis 1" in found
    assert "(= 2)" in str(find_relation(2 * expected, expected))
    assert "(= 1/2)" in str(find_relation(expected / 2, expected))
    n = shape[0]
    assert f"{n}/{n - 1}" in str(find_relation(expected * n / (n - 1), expected))
    odd = find_relation(expected * 1.37, expected)
    assert odd is not None and "times 1.37" in odd and "=" not in odd


@pytest.mark.parametrize("seed", SEEDS)
def test_a_missing_or_extra_input_term(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=_shape(rng, 3))
    expected = x + np.tanh(x)  # a residual block: x + f(x)
    missing = find_relation(np.tanh(x), expected, {"x": x, "other": 3})
    assert missing is not None and "minus the input 'x'" in missing
    extra = find_relation(expected + x, expected, {"x": x})
    assert extra is not None and "plus the input 'x'" in extra


@pytest.mark.parametrize("seed", SEEDS)
def test_constant_offsets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=_shape(rng, 2))
    assert "plus a constant 0.5" in str(find_relation(expected + 0.5, expected))
    per_row = rng.normal(size=(expected.shape[0], 1))
    assert "constant per row" in str(find_relation(expected + per_row, expected))
    per_column = rng.normal(size=(1, expected.shape[1]))
    assert "constant per column" in str(find_relation(expected + per_column, expected))


@pytest.mark.parametrize("seed", SEEDS)
def test_transposed_and_permuted_axes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    square = rng.normal(size=(5, 5))
    assert find_relation(square.T, square) == "your output is the expected one transposed"
    cube = rng.normal(size=_shape(rng, 3))
    found = find_relation(cube.transpose(0, 2, 1), cube)
    assert found is not None and "(0, 2, 1)" in found


@pytest.mark.parametrize("seed", SEEDS)
def test_shifted_by_one_position(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=_shape(rng, 2))
    late = np.concatenate([rng.normal(size=(1, expected.shape[1])), expected[:-1]], axis=0)
    found = find_relation(late, expected)
    assert found is not None and "axis 0" in found and "expected[i-1]" in found
    early = np.concatenate([expected[:, 1:], rng.normal(size=(expected.shape[0], 1))], axis=1)
    found = find_relation(early, expected)
    assert found is not None and "axis 1" in found and "expected[i+1]" in found


@pytest.mark.parametrize("seed", SEEDS)
def test_reordered_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = rng.normal(size=_shape(rng, 2))
    order = np.arange(expected.shape[0])
    order[[0, 1]] = order[[1, 0]]  # the first two swapped
    found = find_relation(expected[order], expected)
    assert found is not None and str([int(i) for i in order]) in found


@pytest.mark.parametrize("seed", SEEDS)
def test_normalised_along_another_axis(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=_shape(rng, 2))
    by_row = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    by_column = np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)
    found = find_relation(by_column, by_row)
    assert found is not None and "sums to 1 along axis 0" in found and "along axis 1" in found
    rows = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    columns = (x - x.mean(axis=0, keepdims=True)) / x.std(axis=0, keepdims=True)
    found = find_relation(columns, rows)
    assert found is not None and "mean 0 and variance 1 along axis 0" in found


def test_values_that_are_not_number_arrays_relate_to_nothing() -> None:
    assert find_relation("abc", [1.0, 2.0]) is None
    assert find_relation({"a": 1}, [1.0, 2.0]) is None
    assert find_relation([1.0, 2.0], None) is None
    assert find_relation(np.array([2.0]), np.array([1.0])) is None  # one number proves nothing
