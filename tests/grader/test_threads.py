"""`use_one_blas_thread`: one BLAS thread unless the user chose a number."""

from __future__ import annotations

import os

import pytest

from grader.threads import ONE_BLAS_THREAD, use_one_blas_thread


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ONE_BLAS_THREAD:
        monkeypatch.setenv(name, "x")  # recorded, so the test's changes are undone
        monkeypatch.delenv(name)
    return monkeypatch


def test_one_thread_when_the_user_chose_nothing(clean_env: pytest.MonkeyPatch) -> None:
    use_one_blas_thread()
    assert {name: os.environ[name] for name in ONE_BLAS_THREAD} == {
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


@pytest.mark.parametrize("chosen", sorted(ONE_BLAS_THREAD))
def test_any_choice_of_the_user_is_left_alone(clean_env: pytest.MonkeyPatch, chosen: str) -> None:
    """OpenBLAS reads OPENBLAS_NUM_THREADS before OMP_NUM_THREADS: setting it to 1 beside a
    user's OMP_NUM_THREADS=2 would silently override the user."""
    clean_env.setenv(chosen, "2")
    use_one_blas_thread()
    assert [name for name in ONE_BLAS_THREAD if name in os.environ] == [chosen]
    assert os.environ[chosen] == "2"
