"""`gradeformer report`: gradebook CSVs read back, class report and student pages.

The class is built by hand from the results model (the engine is not needed). Expected
figures are worked out by hand in the comments next to each assertion.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.report import build_report
from grader.report.load import Student
from grader.report.plots import INSTALL_HINT
from grader.report.stats import error_rows
from grader.results import CheckResult, ExerciseResult, SubmissionResult

SECRET = "SECRET-HIDDEN-0.8312"  # in hidden checks' message/details/output only
TITLE = "gradeformer class report"


def _check(name: str, status: str, pts: float, vis: str = "public", **kw: object) -> CheckResult:
    kind = str(kw.pop("kind", "allclose"))
    return CheckResult(name, vis, kind, status, pts, 5.0, **kw)  # type: ignore[arg-type]


def _dot(passed: bool) -> ExerciseResult:
    checks = [
        _check("hand-worked: dot([1, 2, 3], [4, 5, 6]) = 32", "pass", 5.0, "hand-worked"),
        _check(
            "matmul of 3×4 by 4×2",
            "pass" if passed else "fail",
            5.0 if passed else 0.0,
            message="" if passed else "expected shape (3, 2), got (2, 3)",
            details=[] if passed else ["did you transpose?"],
        ),
    ]
    score = sum(c.points for c in checks)
    return ExerciseResult(
        "01_dot_product", "Dot product", "dot_product", "graded", score, 10.0, checks=checks
    )


def _softmax(bug: bool) -> ExerciseResult:
    hidden_fail = _check(
        "axis=0 on a 3-D input",
        "fail",
        0.0,
        "hidden",
        message=f"max abs error 0.71 ({SECRET})",
        details=[SECRET],
        output=SECRET,
        misconception="no max subtraction",
        hint="subtract the max first",
    )
    checks = [
        _check("rows sum to 1", "pass", 5.0, kind="property"),
        hidden_fail if bug else _check("axis=0 on a 3-D input", "pass", 5.0, "hidden"),
    ]
    score = sum(c.points for c in checks)
    return ExerciseResult("03_softmax", "Softmax", "softmax", "graded", score, 10.0, checks=checks)


def _result(
    student: str, exercises: list[ExerciseResult], duration: float, error: str | None = None
) -> SubmissionResult:
    score = sum(ex.score for ex in exercises)
    return SubmissionResult(
        f"submissions/{student}",
        student,
        "hidden",
        2026,
        "bwrap",
        score,
        20.0,
        exercises,
        error=error,
        duration_s=duration,
    )


def class_results() -> list[SubmissionResult]:
    not_impl = ExerciseResult(
        "03_softmax",
        "Softmax",
        "softmax",
        "not_implemented",
        0.0,
        10.0,
        message="not implemented yet (softmax raises NotImplementedError)",
    )
    timeout = _dot(True)
    timeout.checks[1] = _check("matmul of 3×4 by 4×2", "error", 0.0, message="timed out after 10 s")
    timeout.score = 5.0
    return [
        _result("alice", [_dot(True), _softmax(False)], 1.5),  # 20/20
        _result("bob", [_dot(False), _softmax(True)], 4.0),  # 5 + 5 = 10/20
        _result("zoë ng", [timeout, not_impl], 2.5),  # 5 + 0 = 5/20
        _result("dave", [_dot(True), _softmax(True)], 0.5),  # 10 + 5 = 15/20
        _result("erin", [], 0.1, error="erin.zip is not a valid zip file"),  # 0/20
    ]


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    for result in class_results():
        path = folder / f"{result.student}.json"
        path.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    (folder / "broken.json").write_text('{"score": 3,', encoding="utf-8")
    (folder / "wrong.json").write_text('{"submission": "x", "score": "ten"}', encoding="utf-8")
    (folder / "list.json").write_text("[1, 2]", encoding="utf-8")
    (folder / ".carol.json.tmp").write_text("partial", encoding="utf-8")
    return folder


@pytest.fixture
def report(results_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report"
    build_report(results_dir, out)
    return out


def _json_results(results_dir: Path) -> dict[str, dict]:
    good = {}
    for path in results_dir.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("score"), (int, float)):
            good[data["student"]] = data
    return good


def test_gradebook_numbers_equal_the_json(results_dir: Path, report: Path) -> None:
    assert (report / "gradebook.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
    rows = list(csv.DictReader((report / "gradebook.csv").open(encoding="utf-8-sig")))
    expected = _json_results(results_dir)
    assert [r["student"] for r in rows] == sorted(expected)  # corrupt files are not rows
    assert list(rows[0]) == [
        "student",
        "status",
        "01_dot_product",
        "03_softmax",
        "graded",
        "adjustment",
        "late_penalty",
        "total",
        "max_score",
        "percent",
        "notes",
        "error",
    ]
    for row in rows:
        data = expected[row["student"]]
        assert float(row["total"]) == float(row["graded"]) == data["score"]  # no adjustment
        assert (row["status"], row["adjustment"], row["notes"]) == ("graded", "0.0", "")
        assert float(row["max_score"]) == data["max_score"]
        assert float(row["percent"]) == data["percent"]
        assert row["error"] == (data["error"] or "")
        by_name = {ex["exercise"]: ex["score"] for ex in data["exercises"]}
        for exercise in ("01_dot_product", "03_softmax"):
            cell = row[exercise]
            assert (float(cell) if cell else None) == by_name.get(exercise)
    totals = {r["student"]: float(r["percent"]) for r in rows}
    assert totals == {"alice": 100.0, "bob": 50.0, "dave": 75.0, "erin": 0.0, "zoë ng": 25.0}
    errors = {r["student"]: r["error"] for r in rows if r["error"]}
    assert errors == {"erin": "erin.zip is not a valid zip file"}  # 0% for a refused zip


def test_checks_csv_statuses_equal_the_json(results_dir: Path, report: Path) -> None:
    rows = list(csv.reader((report / "checks.csv").open(encoding="utf-8-sig")))
    header, body = rows[0], rows[1:]
    assert header[1:] == [
        "01_dot_product: hand-worked: dot([1, 2, 3], [4, 5, 6]) = 32",
        "01_dot_product: matmul of 3×4 by 4×2",
        "03_softmax: rows sum to 1",
        "03_softmax: axis=0 on a 3-D input",
    ]
    expected = _json_results(results_dir)
    for row in body:
        data = expected[row[0]]
        status = {
            f"{ex['exercise']}: {c['name']}": c["status"]
            for ex in data["exercises"]
            for c in ex["checks"]
        }
        assert row[1:] == [status.get(column, "") for column in header[1:]]
    assert dict((r[0], r[2]) for r in body)["zoë ng"] == "error"


def test_corrupt_results_are_reported_and_skipped(results_dir: Path, tmp_path: Path) -> None:
    summary = build_report(results_dir, tmp_path / "out")
    assert summary.students == 5
    assert sorted(p.path.name for p in summary.problems) == [
        "broken.json",
        "list.json",
        "wrong.json",
    ]
    reasons = {p.path.name: p.reason for p in summary.problems}
    assert "JSONDecodeError" in reasons["broken.json"]
    assert "expected a JSON object, got list" in reasons["list.json"]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "3 results files could not be read" in index and "wrong.json" in index


def test_report_command(results_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli-report"
    run = CliRunner().invoke(cli, ["report", str(results_dir), "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "5 students" in run.output and "skipped" in run.output
    assert (out / "index.html").is_file() and (out / "students" / "zoë_ng.md").is_file()
    missing = CliRunner().invoke(cli, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(cli, ["report", str(tmp_path / "empty")])
    assert empty.exit_code == 2 and "no results in" in empty.output


def test_index_tables(report: Path) -> None:
    index = (report / "index.html").read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in index
    assert "5 students · mean 50.0% · median 50.0%" in index  # (100+50+75+0+25)/5; sorted middle
    text = re.sub(r"<[^>]+>", " ", index)
    text = re.sub(r"\s+", " ", text)
    # 01_dot_product: scores 10, 5, 5, 10 (+ erin 0) → mean 30/5 = 6.00, 60.0%; full marks 2/5
    assert "01_dot_product Dot product 10 6.00 60.0 40% 4 0 0" in text
    # 03_softmax: 10, 5, 0, 5, 0 → 20/5 = 4.00, 40.0%; full marks alice only: 1/5 = 20%
    assert "03_softmax Softmax 10 4.00 40.0 20% 4 1 0" in text
    assert "03_softmax : no max subtraction — 2 students" in text  # bob and dave
    assert "erin.zip is not a valid zip file" in text and "timed out after 10 s" in text
    slowest = re.search(r"Slowest submissions(.*?)Students with errors", text).group(1)
    assert slowest.split()[3:8:3] == ["bob", "zoë"]  # bob 4.0 s, then zoë ng 2.5 s
    assert 'href="students/zo%C3%AB_ng.html"' in index


def test_no_external_urls(report: Path) -> None:
    for page in [report / "index.html", *sorted((report / "students").glob("*.html"))]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), page
        assert not re.search(r"url\(\s*['\"]?(?!#)", text), page  # only url(#local-id)
        assert "@import" not in text, page


def test_plots_with_matplotlib(report: Path) -> None:
    pytest.importorskip("matplotlib", reason="the report's plots need matplotlib")
    index = (report / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 2 and INSTALL_HINT not in html.unescape(index)


def test_report_without_matplotlib(
    results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError
    build_report(results_dir, tmp_path / "plain")
    index = (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    assert "<svg" not in index
    assert INSTALL_HINT in html.unescape(index)
    assert "03_softmax" in index and "no max subtraction" in index  # the tables still render


def test_student_pages_hide_hidden_checks(report: Path) -> None:
    page = (report / "students" / "bob.html").read_text(encoding="utf-8")
    markdown = (report / "students" / "bob.md").read_text(encoding="utf-8")
    for text in (page, markdown):
        assert SECRET not in text
        assert "hidden check: axis=0 on a 3-D input" in text and "(allclose)" in text
        assert "expected shape (3, 2), got (2, 3)" in text and "did you transpose?" in text
    assert "- ✗ matmul of 3×4 by 4×2 — 0/5" in markdown
    assert "## Feedback for bob" in markdown and "**10.0/20 points (50.0%)**" in markdown
    assert not any(SECRET in p.read_text() for p in (report / "students").iterdir())


def _png_is_not_blank(data: bytes) -> bool:
    """True when the PNG's decompressed pixel rows hold more than a handful of byte values
    (a blank page is one colour: its rows are a filter byte and one repeated value)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat))) > 16


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_report_renders_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    url = (report / "index.html").resolve().as_uri()
    png = tmp_path / "report.png"
    base = [chromium, *CHROMIUM_FLAGS]
    subprocess.run(
        [
            *base,
            f"--user-data-dir={tmp_path / 'p1'}",
            f"--screenshot={png}",
            "--window-size=1200,900",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert _png_is_not_blank(png.read_bytes())
    dom = subprocess.run(
        [*base, f"--user-data-dir={tmp_path / 'p2'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert f"<title>{TITLE}</title>" in dom and f"<h1>{TITLE}</h1>" in dom
    assert "<svg" in dom or INSTALL_HINT in html.unescape(dom)


def test_errored_checks_with_one_message_are_one_row() -> None:
    timeout = "timed out after 10 s"
    ex = ExerciseResult(
        "03_softmax",
        "Softmax",
        "softmax",
        "graded",
        0.0,
        10.0,
        checks=[
            _check("a", "error", 0.0, message=timeout),
            _check("b", "error", 0.0, message="killed: memory limit 1 GiB"),
            _check("c", "error", 0.0, message=timeout),
        ],
    )
    rows = error_rows([Student("fay", _result("fay", [ex], 1.0))])
    assert [(r.where, r.message) for r in rows] == [
        ("2 checks: 03_softmax: a, 03_softmax: c", timeout),
        ("03_softmax: b", "killed: memory limit 1 GiB"),
    ]
