"""The seeds' hand-worked numbers, exactly (float64, atol 1e-12 where the arithmetic is exact)."""

import math

import numpy as np
import pytest

import reference as R


def test_dot_of_small_vectors():
    # 1·4 + 2·5 + 3·6 = 4 + 10 + 18 = 32
    assert R.dot([1, 2, 3], [4, 5, 6]) == 32.0
    assert isinstance(R.dot([1, 2, 3], [4, 5, 6]), float)


def test_matvec_scales_each_coordinate():
    # [[1, 0], [0, 2]] [2, 3] = [1·2 + 0·3, 0·2 + 2·3] = [2, 6]
    np.testing.assert_allclose(R.matvec([[1, 0], [0, 2]], [2, 3]), [2, 6], atol=1e-12)


def test_matmul_and_batched_matmul_by_hand():
    # [[1, 2], [3, 4]] [[5, 6], [7, 8]] = [[1·5 + 2·7, 1·6 + 2·8], [3·5 + 4·7, 3·6 + 4·8]]
    expected = [[19, 22], [43, 50]]
    np.testing.assert_allclose(R.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]), expected, atol=1e-12)
    A = np.array([[[1, 2], [3, 4]], [[1, 0], [0, 1]]])
    B = np.array([[[5, 6], [7, 8]], [[9, 8], [7, 6]]])
    np.testing.assert_allclose(R.batched_matmul(A, B), [expected, [[9, 8], [7, 6]]], atol=1e-12)


def test_neuron_with_relu():
    # 0.5·1.2 + 0.9·0.8 + 0.2·(−0.3) + 0.1 = 0.6 + 0.72 − 0.06 + 0.1 = 1.36
    out = R.neuron([0.5, 0.9, 0.2], [1.2, 0.8, -0.3], 0.1)
    assert isinstance(out, float)
    assert out == pytest.approx(1.36, abs=1e-12)


def test_count_parameters_of_a_small_mlp():
    # (3·5 + 5) + (5·5 + 5) + (5·2 + 2) = 20 + 30 + 12
    assert R.count_parameters([3, 5, 5, 2]) == 62
    assert isinstance(R.count_parameters([3, 5, 5, 2]), int)


@pytest.mark.parametrize(
    ("p_right", "loss"), [(0.9, 0.105), (0.01, 4.6), (0.02, 3.91)], ids=["0.9", "0.01", "0.02"]
)
def test_cross_entropy_is_minus_log_of_the_right_probability(p_right, loss):
    # logits = log p give softmax = p exactly when p sums to 1
    others = (1 - p_right) / 2
    logits = np.log([[others, p_right, others]])
    value = R.cross_entropy(logits, [1])
    assert value == pytest.approx(-math.log(p_right), rel=1e-12)
    assert value == pytest.approx(loss, abs=0.01)  # the seeds round to 2-3 digits


def test_derivative_of_x_squared_at_3_is_6():
    grad = R.numerical_gradient(lambda x: float(x[0] ** 2), np.array([3.0]))
    # ((3 + ε)² − (3 − ε)²) / 2ε = 12ε / 2ε
    assert grad[0] == pytest.approx(6.0, abs=1e-8)


def test_parameter_counts_of_attention_and_ffn_matrices():
    # a 512×64 Wq: 512·64 = 32,768 weights (count_parameters adds the 64 biases of a layer)
    assert R.count_parameters([512, 64]) == 32_768 + 64
    # FFN with d_model 4096, d_ff 16384: W1 has 4096·16384 = 67,108,864 parameters, W2 as
    # many, b1 16384 and b2 4096
    assert R.ffn_parameter_count(4096, 16384) == 2 * 67_108_864 + 16384 + 4096
    assert R.ffn_parameter_count(4, 16) == 4 * 16 + 16 + 16 * 4 + 4
    assert isinstance(R.ffn_parameter_count(4, 16), int)


def test_bpe_aaabdaaabac():
    # minbpe's BasicTokenizer: (a,a) counts 4 (overlaps) -> 256; then (256, a) -> 257;
    # then (257, b) -> 258; the text becomes X d X a c with X = 258
    merges = R.train_bpe("aaabdaaabac", 259)
    assert merges == [(97, 97), (256, 97), (257, 98)]
    assert all(type(a) is int and type(b) is int for a, b in merges)
    ids = R.encode("aaabdaaabac", merges)
    assert ids == [258, 100, 258, 97, 99]
    assert R.decode(ids, merges) == "aaabdaaabac"


# --- Robtimus (Tom Yeh's AI-by-Hand transformer; features are columns) --------------------

X = [[5, 6, 0, 7, 0], [0, 2, 4, 0, 3], [1, 0, 1, 1, 0]]
A = [[1, 0, 0, 0, 1], [1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 1, 1]]
Z = [[11, 6, 7, 7, 5], [2, 6, 4, 3, 3], [1, 1, 2, 1, 1]]
W1 = [[1, -1, 0], [1, 1, 0], [0, 1, 1], [-1, 1, 1]]
b1 = [1, 0, 1, 0]
W2 = [[1, 0, 0, -1], [0, 1, 1, 0], [0, 0, 1, -1]]
b2 = [0, 0, 1]
OUT = [[10, 0, 4, 5, 3], [17, 20, 18, 15, 13], [5, 8, 8, 6, 6]]


def test_robtimus_attention_weighting():
    # Z1 = X1 + X2, Z2 = X2 + X3, ..., Z5 = X5 + X1
    np.testing.assert_allclose(R.attention_weighting(X, A), Z, atol=1e-12)


def test_robtimus_ffn():
    # W1 Z + b1 = [[10,1,4,5,3],[13,12,11,10,8],[4,8,7,5,5],[-8,1,-1,-3,-1]]; after ReLU the
    # last row is [0,1,0,0,0] (first entry: 11 − 2 + 0 + 1 = 10)
    hidden = np.maximum(np.array(W1) @ np.array(Z) + np.array(b1)[:, None], 0)
    np.testing.assert_array_equal(hidden[3], [0, 1, 0, 0, 0])
    assert hidden[0, 0] == 10
    np.testing.assert_allclose(R.ffn_by_hand(Z, W1, b1, W2, b2), OUT, atol=1e-12)
