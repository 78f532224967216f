"""The by-hand answers of exercises 00-05 agree with the reference doing the same sums.

Each answer in an exercise.yaml was worked out on paper; here the reference (or plain
counting) recomputes it, so a slip in the arithmetic of a question fails a test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

reference = pytest.importorskip("reference")
spec = pytest.importorskip("grader.spec")

ROOT = Path(__file__).resolve().parents[2]

X = np.array([[5, 6, 0, 7, 0], [0, 2, 4, 0, 3], [1, 0, 1, 1, 0]], dtype=float)
A = np.array(
    [[1, 0, 0, 0, 1], [1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 1, 1]],
    dtype=float,
)
W1 = np.array([[1, -1, 0], [1, 1, 0], [0, 1, 1], [-1, 1, 1]], dtype=float)
B1 = np.array([1, 0, 1, 0], dtype=float)


def _first_layer() -> np.ndarray:
    return W1 @ reference.attention_weighting(X, A) + B1[:, None]


def _relu_slope_w(w: float, x: float, b: float) -> float:
    return float(
        reference.numerical_gradient(lambda v: reference.neuron([x], v, b), np.array([w]))[0]
    )


def _ce_grad_first(p: list[float], target: int) -> float:
    return float(reference.cross_entropy_grad(np.log([p]), np.array([target]))[0, 0])


COMPUTED: dict[tuple[str, str], Callable[[], object]] = {
    ("00_robtimus", "z_first_row"): lambda: reference.attention_weighting(X, A)[0],
    ("00_robtimus", "z_2_4"): lambda: reference.attention_weighting(X, A)[1, 3],
    ("00_robtimus", "z_3_5"): lambda: reference.attention_weighting(X, A)[2, 4],
    ("00_robtimus", "x_first_row"): lambda: np.linalg.solve(
        A.T, reference.attention_weighting(X, A)[0]
    ),
    ("00_robtimus", "h_1_1"): lambda: _first_layer()[0, 0],
    ("00_robtimus", "relu_row"): lambda: 1 + int(np.flatnonzero((_first_layer() < 0).any(1))[0]),
    ("01_dot_product", "opposite"): lambda: reference.dot([1.0, 0.0], [-1.0, 0.0]),
    ("01_dot_product", "product_entry"): lambda: reference.matmul(
        [[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]
    )[1, 0],
    ("01_dot_product", "multiplications"): lambda: 2 * 4 * 3,
    ("02_neuron", "wq_params"): lambda: reference.count_parameters([512, 64]) - 64,
    ("02_neuron", "ffn_w1_params"): lambda: reference.count_parameters([4096, 16384]) - 16384,
    ("02_neuron", "dense_params"): lambda: reference.count_parameters([3, 4]),
    ("02_neuron", "relu_negative"): lambda: reference.neuron(
        [0.5, 0.9, 0.2], [1.2, 0.8, -0.3], -1.5
    ),
    ("02_neuron", "sigmoid_zero"): lambda: reference.sigmoid(0.0),
    ("03_softmax", "p_first"): lambda: reference.softmax([1.0, 2.0, 3.0])[0],
    ("03_softmax", "shifted"): lambda: reference.softmax([1001.0, 1002.0, 1003.0])[2],
    ("03_softmax", "uniform"): lambda: reference.softmax(np.zeros(4))[0],
    ("03_softmax", "cold"): lambda: reference.softmax([1.0, 2.0], temperature=0.5)[1],
    ("04_cross_entropy", "loss_02"): lambda: reference.cross_entropy(
        np.log([[0.02, 0.98]]), np.array([0])
    ),
    ("04_cross_entropy", "loss_uniform"): lambda: reference.cross_entropy(
        np.zeros((1, 4)), np.array([2])
    ),
    ("04_cross_entropy", "grad_entry"): lambda: _ce_grad_first([0.7, 0.2, 0.1], 0),
    ("05_backprop", "square_slope"): lambda: reference.numerical_gradient(
        lambda v: float(v[0] ** 2), np.array([3.0])
    )[0],
    ("05_backprop", "chain_square"): lambda: reference.numerical_gradient(
        lambda v: float((2 * v[0] + 1) ** 2), np.array([1.0])
    )[0],
    ("05_backprop", "relu_weight"): lambda: _relu_slope_w(2.0, 3.0, -1.0),
    ("05_backprop", "relu_dead"): lambda: _relu_slope_w(2.0, 3.0, -7.0),
    ("05_backprop", "grad_W_shape"): lambda: (
        reference.linear_backward(np.ones((32, 512)), np.ones((512, 64)), np.ones((32, 64)))[
            1
        ].shape
    ),
    ("05_backprop", "bias_sum"): lambda: reference.linear_backward(
        np.ones((2, 3, 5)), np.ones((5, 4)), np.ones((2, 3, 4))
    )[2],
}


def _questions() -> list[tuple[str, object]]:
    out = []
    for folder in sorted({f for f, _ in COMPUTED}):
        ex = spec.load_exercise(ROOT / "exercises" / folder)
        out += [(folder, q) for q in ex.questions]
    return out


QUESTIONS = _questions()


@pytest.mark.parametrize(
    ("folder", "question"), QUESTIONS, ids=[f"{f}:{q.id}" for f, q in QUESTIONS]
)
def test_answer_matches_the_reference(folder: str, question) -> None:
    computed = np.asarray(COMPUTED[(folder, question.id)](), dtype=float)
    answer = np.asarray(question.answer, dtype=float)
    tol = max(question.tol, 1e-6)
    assert np.allclose(answer, computed, rtol=0, atol=tol), (answer, computed)


@pytest.mark.parametrize("folder", sorted({f for f, _ in COMPUTED}))
def test_solution_answers_agree_with_the_spec(folder: str) -> None:
    ex = spec.load_exercise(ROOT / "exercises" / folder)
    given = yaml.safe_load((ROOT / "solutions" / folder / "answers.yaml").read_text("utf-8"))
    for q in ex.questions:
        assert np.allclose(given[q.id], q.answer, rtol=0, atol=max(q.tol, 1e-9)), q.id


def test_every_question_is_recomputed() -> None:
    assert {(f, q.id) for f, q in QUESTIONS} == set(COMPUTED)


def test_the_retelling_s_eleven_is_not_what_the_matrices_give() -> None:
    """The README explains why the first-layer value at [1,1] is 10, not 11."""
    assert _first_layer()[0, 0] == 11 - 2 + 0 + 1 == 10
    assert not math.isclose(_first_layer()[0, 0], 11)
