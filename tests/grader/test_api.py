"""`from grader import check`: functions from a namespace or a path, rendered as HTML/text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import grader
from grader.api import CheckReport, module_source

FIXTURES = Path(__file__).parent / "fixtures"
EXERCISES = FIXTURES / "exercises"


def notebook_namespace() -> dict:
    spec = importlib.util.spec_from_file_location("__main__", FIXTURES / "notebook_functions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_module_source_takes_helpers_constants_and_imports() -> None:
    source = module_source(notebook_namespace(), ["scale", "rownorm"])
    assert "import numpy as np" in source
    assert "FACTOR = 1.0" in source
    assert "def _row_sums(x):" in source and "def rownorm(x):" in source
    compile(source, "scale.py", "exec")
    assert module_source({"__name__": "__main__"}, ["scale"]) == ""


def test_check_from_a_namespace_runs_in_the_worker(fake_reference: object) -> None:
    ns = notebook_namespace()
    report = grader.check("scale", namespace=ns, exercises_dir=EXERCISES)
    assert isinstance(report, CheckReport)
    scale = report.exercise("scale")
    assert scale is not None
    assert [c.name for c in scale.checks if not c.passed] == ["answers.yaml: six"]
    assert report.isolation in ("bwrap", "unshare", "rlimits")
    assert report.submission == "<notebook>"


def test_check_from_a_path_and_rendering(fake_reference: object) -> None:
    report = grader.check("scale", path=FIXTURES / "submissions" / "wrong", exercises_dir=EXERCISES)
    assert not report.all_passed
    html = report._repr_html_()
    assert html.startswith("<table>") and "rows of a 3×4 grid" in html
    assert "likely bug: normalised over the first axis" in html
    text = str(report)
    assert "✗ rows of a 3×4 grid" in text
    assert report.exercise("total") is None  # only the named exercise ran


def test_imported_functions_are_not_taken_for_the_students() -> None:
    import numpy as np

    ns = {"__name__": "__main__", "np": np, "scale": np.multiply}
    assert module_source(ns, ["scale", "rownorm"]) == ""
