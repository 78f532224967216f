"""Shared fixtures for the grading tests: the fake exercises and their fake reference."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def case_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh on-disk case cache per test, so tests never share (or write) ~/.cache."""
    folder = tmp_path_factory.mktemp("case-cache")
    monkeypatch.setenv("GRADEFORMER_CACHE", str(folder))
    import grader.grading.checks

    grader.grading.checks._case_cache.clear()
    return folder


@pytest.fixture
def fake_reference(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Make tests/grader/fixtures/fake_reference.py the answer key (`reference` stand-in)."""
    import grader.cases

    monkeypatch.syspath_prepend(str(FIXTURES))
    import fake_reference as module

    monkeypatch.setattr(grader.cases, "reference_module", lambda: module)
    yield module
    sys.modules.pop("fake_reference", None)


@pytest.fixture
def fake_exercises(fake_reference: object) -> list:
    from grader.spec import load_exercises

    return load_exercises(FIXTURES / "exercises")
