"""The fixed table of scalar test functions, and a FunctionRef crossing into the worker."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from grader.codec import FunctionRef
from grader.sandbox import Isolation, Worker
from grader.sandbox.callables import CALLABLES


def test_values_worked_by_hand() -> None:
    assert CALLABLES["sum_of_squares"](np.array([1.0, 2.0, 3.0])) == 14.0  # 1 + 4 + 9
    assert CALLABLES["sum_of_cubes"](np.array([1.0, -2.0])) == -7.0  # 1 - 8
    assert CALLABLES["sum_of_sines"](np.array([0.0, math.pi / 2])) == pytest.approx(1.0)
    assert CALLABLES["log_sum_exp"](np.array([0.0, 0.0])) == pytest.approx(math.log(2))


def test_log_sum_exp_is_stable_for_huge_inputs() -> None:
    assert CALLABLES["log_sum_exp"](np.array([1000.0, 1000.0])) == pytest.approx(1000 + math.log(2))


@pytest.mark.parametrize(
    ("name", "gradient"),
    [
        ("sum_of_squares", lambda x: 2 * x),
        ("sum_of_cubes", lambda x: 3 * x**2),
        ("sum_of_sines", np.cos),
        ("log_sum_exp", lambda x: np.exp(x) / np.exp(x).sum()),
    ],
)
def test_documented_gradients_match_central_differences(name: str, gradient: object) -> None:
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    f, eps = CALLABLES[name], 1e-6
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        numeric[i] = (f(x + step) - f(x - step)) / (2 * eps)
    np.testing.assert_allclose(numeric, gradient(x), rtol=1e-6, atol=1e-8)  # type: ignore[operator]


def test_a_function_ref_is_callable_by_student_code_in_the_worker(tmp_path: Path) -> None:
    (tmp_path / "backprop.py").write_text(
        "import numpy as np\n"
        "def numerical_gradient(f, x, eps=1e-5):\n"
        "    g = np.zeros_like(x)\n"
        "    for i in np.ndindex(x.shape):\n"
        "        d = np.zeros_like(x); d[i] = eps\n"
        "        g[i] = (f(x + d) - f(x - d)) / (2 * eps)\n"
        "    return g\n"
    )
    with Worker({"backprop": tmp_path / "backprop.py"}, isolation=Isolation.RLIMITS) as w:
        out = w.call(
            "backprop",
            "numerical_gradient",
            kwargs={"f": FunctionRef("sum_of_squares"), "x": np.array([1.0, 2.0, 3.0])},
        )
    assert out.ok, out.message
    np.testing.assert_allclose(out.value, [2.0, 4.0, 6.0], rtol=1e-6)  # d(Σx²)/dx = 2x
