"""Activations: the error function against math.erf, stability, known values and properties."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reference as R
from reference.activations import normal_cdf

GRID = np.concatenate(
    [np.linspace(-8, 8, 4001), np.random.default_rng(0).normal(size=2000) * 2, [0.0, 1e-300]]
)


def test_erf_matches_math_erf_to_1e_15_relative():
    expected = np.array([math.erf(v) for v in GRID])
    rel = np.abs(R.erf(GRID) - expected) / np.maximum(np.abs(expected), 1e-300)
    assert rel.max() < 1e-15


def test_erfc_matches_math_erfc_in_the_tail():
    x = np.linspace(-5, 26, 3101)  # erfc(26) ≈ 6e-296, still a normal float64
    expected = np.array([math.erfc(v) for v in x])
    rel = np.abs(R.erfc(x) - expected) / expected
    assert rel[x <= 3].max() < 2e-15  # y² · 1e-16 rounding inside exp(−y²)
    assert rel.max() < 1e-13
    assert R.erfc(np.array([30.0, 1e300]))[0] == 0.0


def test_erf_limits_and_odd_symmetry():
    np.testing.assert_array_equal(R.erf([np.inf, -np.inf, 0.0]), [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(R.erf(-GRID), -R.erf(GRID))


def test_sigmoid_is_stable_at_plus_minus_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = R.sigmoid([-1000.0, 0.0, 1000.0])
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


@given(st.floats(-700, 700))
def test_sigmoid_symmetry_and_range(a):
    s, s_neg = R.sigmoid(a), R.sigmoid(-a)
    assert 0.0 <= s <= 1.0
    assert s + s_neg == pytest.approx(1.0, abs=1e-15)
    assert s == pytest.approx(1 / (1 + math.exp(-a)) if a > -700 else 0.0, rel=1e-12, abs=1e-300)


def test_activation_values_by_hand():
    np.testing.assert_array_equal(R.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(R.tanh([0.5]), [math.tanh(0.5)], rtol=1e-15)
    # gelu(1) = 1 · Φ(1) = ½ (1 + erf(1/√2)); gelu(−1) = −Φ(−1)
    phi1 = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    np.testing.assert_allclose(R.gelu([1.0, -1.0]), [phi1, -(1 - phi1)], rtol=1e-15)
    # tanh approximation: ½ · 1 · (1 + tanh(√(2/π) · 1.044715))
    approx = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715))
    np.testing.assert_allclose(R.gelu_tanh([1.0]), [approx], rtol=1e-15)
    assert abs(R.gelu_tanh(1.0) - R.gelu(1.0)) < 1e-3  # a good approximation
    np.testing.assert_allclose(normal_cdf([0.0]), [0.5], rtol=0)


def test_gelu_matches_math_erf_elementwise():
    x = np.linspace(-10, 10, 2001)
    expected = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(R.gelu(x), expected, rtol=1e-14, atol=0)


def test_dense_and_neuron_with_each_activation():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    W = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]])
    b = np.array([0.1, 0.0, -0.2])
    pre = x @ W + b
    for name, f in [("relu", R.relu), ("sigmoid", R.sigmoid), ("tanh", R.tanh),
                    ("gelu", R.gelu), ("identity", lambda z: z)]:  # fmt: skip
        np.testing.assert_allclose(R.dense(x, W, b, activation=name), f(pre), rtol=1e-15)
        assert R.neuron(x[0], W[:, 0], 0.1, activation=name) == pytest.approx(
            float(f(np.array(pre[0, 0]))), rel=1e-15
        )
