"""The instructor's round trip: a roster joined to the results, adjustments that survive a
regrade, the late policy, and the gradebooks Canvas and Moodle import.

Expected files are written out by hand from the documented formats (docs/instructors.md):
Canvas's import header is `Student, ID, SIS User ID, SIS Login ID, Section` then the
assignment, with a `Points Possible` row; every CSV starts with the UTF-8 byte-order mark.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.report import build_report
from grader.report.late import parse_policy
from grader.report.roster import RosterError, read_roster
from grader.results import CheckResult, ExerciseResult, SubmissionResult

ROOT = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"
CANVAS_HEADER = "Student,ID,SIS User ID,SIS Login ID,Section,Project 1"


def _result(student: str, softmax: float, dot: float) -> SubmissionResult:
    exercises = [
        ExerciseResult("01_dot_product", "Dot product", "dot_product", "graded", dot, 10.0,
                       checks=[CheckResult("matmul", "public", "allclose", "pass", dot, 10.0)]),
        ExerciseResult("03_softmax", "Softmax", "softmax", "graded", softmax, 10.0,
                       checks=[CheckResult("rows", "hidden", "property", "pass", softmax, 10.0)]),
    ]  # fmt: skip
    return SubmissionResult(
        f"class/{student}", student, "hidden", 1, "bwrap", dot + softmax, 20.0, exercises
    )


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """4 submissions: three enrolled (one under its email, one in another case) and dave."""
    folder = tmp_path / "results"
    folder.mkdir()
    for student, softmax, dot in [
        ("ada", 10.0, 10.0),
        ("chloé.wójcik@uni.edu", 5.0, 10.0),
        ("BEN", 2.5, 7.5),
        ("dave", 10.0, 0.0),
    ]:
        data = _result(student, softmax, dot).to_dict()
        (folder / f"{student}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


ROSTER = (
    "\ufeffStudent;ID;SIS User ID;SIS Login ID;E-Mail;Section\r\n"  # Excel's BOM, semicolons
    "Lovelace, Ada;101;S1;ada;ada@uni.edu;A\r\n"
    "Wójcik, Chloé;102;S2;cwojcik;chloé.wójcik@uni.edu;A\r\n"
    "Okafor, Ben;103;S3;ben;ben@uni.edu;B\r\n"
    "Ng, Erin;104;S4;erin;erin@uni.edu;B\r\n"
    "Diaz, Frank;105;S5;frank;;B\r\n"
    "Kim, Gina;106;S6;gina;gina@uni.edu;A\r\n"
)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER.encode("utf-8"))
    return path


def report(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(cli, ["report", *args])
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.output
    return outcome.exit_code, outcome.output


def test_three_missing_one_unknown_gives_the_documented_gradebook_and_canvas_csv(
    results: Path, roster: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    args = ["--roster", str(roster), "--lms", "canvas", "--lms", "moodle", "--lms", "csv"]
    code, output = report(str(results), "--out", str(out), *args, "--assignment", "Project 1")
    assert code == 0, output
    assert "3 in the roster with no submission (missing, 0 points): erin, frank, gina" in output
    assert "1 submission(s) not in the roster (graded, left out of the LMS files): dave" in output

    raw = (out / "gradebook.csv").read_bytes()
    assert raw.startswith(BOM)
    rows = list(csv.DictReader(raw[3:].decode("utf-8").splitlines()))
    assert list(rows[0])[:9] == [
        "student", "name", "login", "id", "sis_id", "email", "section", "status", "01_dot_product"
    ]  # fmt: skip
    table = [(r["student"], r["login"], r["status"], r["total"], r["percent"]) for r in rows]
    assert table == [  # roster order, then the submission nobody enrolled
        ("ada", "ada", "graded", "20.0", "100.0"),
        ("chloé.wójcik@uni.edu", "cwojcik", "graded", "15.0", "75.0"),
        ("BEN", "ben", "graded", "10.0", "50.0"),
        ("erin", "erin", "missing", "0.0", "0.0"),
        ("frank", "frank", "missing", "0.0", "0.0"),
        ("gina", "gina", "missing", "0.0", "0.0"),
        ("dave", "", "not in roster", "10.0", "50.0"),
    ]
    assert rows[3]["01_dot_product"] == "" and rows[3]["max_score"] == "20.0"

    canvas = (out / "canvas.csv").read_bytes()
    assert canvas.startswith(BOM)
    assert canvas[3:].decode("utf-8").split("\r\n") == [
        CANVAS_HEADER,
        "Points Possible,,,,,20",
        '"Lovelace, Ada",101,S1,ada,A,20',
        '"Wójcik, Chloé",102,S2,cwojcik,A,15',
        '"Okafor, Ben",103,S3,ben,B,10',
        '"Ng, Erin",104,S4,erin,B,0',
        '"Diaz, Frank",105,S5,frank,B,0',
        '"Kim, Gina",106,S6,gina,A,0',
        "",
    ]
    moodle = (out / "moodle.csv").read_bytes()[3:].decode("utf-8").splitlines()
    assert moodle[0] == "Full name,Email address,ID number,Username,Project 1,Feedback"
    assert moodle[2] == '"Wójcik, Chloé",chloé.wójcik@uni.edu,S2,cwojcik,15,'
    plain = (out / "grades.csv").read_bytes()[3:].decode("utf-8").splitlines()
    assert plain[0] == "login,name,id,sis_id,email,section,status,grade,max_score,percent,notes"
    assert len(plain) == 7  # 6 enrolled, dave left out
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "3 missing" in index and "erin, frank, gina" in index and "dave" in index


def test_an_adjustment_shows_in_the_gradebook_report_and_lms_files(
    results: Path, roster: Path, tmp_path: Path
) -> None:
    adjust = ["adjust", str(results), "BEN", "--exercise", "softmax", "--points", "2.5"]
    outcome = CliRunner().invoke(cli, [*adjust, "--reason", "regrade: axis was ambiguous"])
    assert outcome.exit_code == 0, outcome.output
    outcome = CliRunner().invoke(
        cli, ["adjust", str(results), "dave", "--points", "-1", "--reason", "late form"]
    )
    assert outcome.exit_code == 0, outcome.output
    out = tmp_path / "report"
    code, output = report(
        str(results), "--out", str(out), "--roster", str(roster), "--lms", "canvas"
    )
    assert code == 0, output
    rows = {
        r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))
    }
    ben = rows["BEN"]
    # 7.5 + 2.5 graded, +2.5 on softmax: 2.5 + 2.5 = 5.0 in its column, 12.5 in total
    assert (ben["03_softmax"], ben["graded"], ben["adjustment"], ben["total"]) == (
        "5.0", "10.0", "2.5", "12.5"
    )  # fmt: skip
    assert ben["notes"] == "+2.5 on 03_softmax: regrade: axis was ambiguous"
    assert (rows["dave"]["total"], rows["dave"]["notes"]) == ("9.0", "-1: late form")
    assert '"Okafor, Ben",103,S3,ben,B,12.5' in (out / "canvas.csv").read_text(encoding="utf-8-sig")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "regrade: axis was ambiguous" in index
    page = (out / "students" / "BEN.md").read_text(encoding="utf-8")
    assert "12.5/20 points after +2.5 on 03_softmax: regrade: axis was ambiguous" in page


def test_adjusting_nobody_exits_2_with_did_you_mean(results: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(cli, ["adjust", str(results), "bne", "--points", "1", "--reason", "x"])
    assert outcome.exit_code == 2
    assert outcome.output.strip() == "Error: no student 'bne' in the results; did you mean 'BEN'?"
    outcome = runner.invoke(
        cli,
        ["adjust", str(results), "ada", "--exercise", "sofmax", "--points", "1", "--reason", "x"],
    )
    assert outcome.exit_code == 2
    assert outcome.output.strip() == (
        "Error: ada has no exercise 'sofmax'; did you mean 'softmax' or '03_softmax'?"
    )
    assert not (results / "adjustments.csv").exists()


def test_the_late_policy_from_file_times(results: Path, tmp_path: Path) -> None:
    """10%/day, deadline 1 March 12:00 UTC: ben's files are 26 h late = 2 started days = 20%
    of 10 points = 2; ada's are an hour early; dave's 30 days late is capped at 50%."""
    deadline = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc).timestamp()
    klass = tmp_path / "class"
    for student, offset in (("ada", -3600), ("BEN", 26 * 3600), ("dave", 30 * 86400)):
        (klass / student).mkdir(parents=True)
        module = klass / student / "softmax.py"
        module.write_text("x = 1\n")
        os.utime(module, (deadline + offset, deadline + offset))
    out = tmp_path / "report"
    code, output = report(
        str(results), "--out", str(out), "--submissions", str(klass),
        "--deadline", "2026-03-01T12:00Z", "--late-penalty", "10%/day,max=50%",
    )  # fmt: skip
    assert code == 0, output
    rows = {
        r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))
    }
    assert (rows["ada"]["late_by"], rows["ada"]["late_penalty"], rows["ada"]["total"]) == (
        "",
        "0.0",
        "20.0",
    )
    assert (rows["BEN"]["late_by"], rows["BEN"]["late_penalty"], rows["BEN"]["total"]) == (
        "2 days",
        "2.0",
        "8.0",
    )
    assert rows["BEN"]["submitted_at"] == "2026-03-02T14:00:00+00:00"
    assert (rows["dave"]["late_penalty"], rows["dave"]["total"]) == ("5.0", "5.0")
    assert rows["dave"]["notes"] == "late by 30 days: -50% (-5)"


def test_an_lms_late_flag_counts_one_unit(results: Path, tmp_path: Path) -> None:
    data = json.loads((results / "ada.json").read_text(encoding="utf-8"))
    data["lms"] = {"layout": "canvas", "id": "101", "name": "lovelaceada", "late": True}
    (results / "ada.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "report"
    args = ["--deadline", "2026-03-01T12:00Z", "--late-penalty", "5%/day"]
    assert report(str(results), "--out", str(out), *args)[0] == 0
    rows = {
        r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig"))
    }
    assert (rows["ada"]["late_by"], rows["ada"]["total"]) == ("1 day", "19.0")  # 20 − 5%


def test_roster_errors_are_one_line(results: Path, tmp_path: Path) -> None:
    bad = tmp_path / "names.csv"
    bad.write_text("Full Name,Grade\nAda,1\n", encoding="utf-8")
    with pytest.raises(RosterError, match="no column identifies a student"):
        read_roster(bad)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("login,name\nchloe,Chloé\n".encode("latin-1"))
    code, output = report(str(results), "--out", str(tmp_path / "r"), "--roster", str(latin))
    assert code == 2 and "not UTF-8" in output and "Traceback" not in output
    code, output = report(str(results), "--out", str(tmp_path / "r"), "--deadline", "2026-03-01")
    assert code == 2 and "--deadline and --late-penalty go together" in output
    with pytest.raises(ValueError, match="RATE%/UNIT"):
        parse_policy("2026-03-01", "10 per day")


def test_an_adjustment_survives_grade_force(tmp_path: Path) -> None:
    """Grade a class for real, adjust, regrade with --force: adjustments.csv is untouched and
    the report still applies it."""
    klass = tmp_path / "class"
    for student in ("ana", "bo"):
        shutil.copytree(ROOT / "solutions" / "01_dot_product", klass / student)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    grade = [sys.executable, "-c", "from grader.cli import main; main()", "grade", str(klass)]
    grade += ["--out", str(tmp_path / "results"), "--exercise", "dot_product", "--jobs", "1"]
    first = subprocess.run(grade, env=env, capture_output=True, cwd=ROOT, text=True)
    assert first.returncode == 0, first.stderr
    outcome = CliRunner().invoke(
        cli, ["adjust", str(tmp_path / "results"), "bo", "--points", "-2", "--reason", "no tests"]
    )
    assert outcome.exit_code == 0, outcome.output
    before = (tmp_path / "results" / "adjustments.csv").read_bytes()
    regrade = subprocess.run([*grade, "--force"], env=env, capture_output=True, cwd=ROOT, text=True)
    assert regrade.returncode == 0, regrade.stderr
    assert "2 students graded" in regrade.stderr + regrade.stdout
    assert (tmp_path / "results" / "adjustments.csv").read_bytes() == before
    summary = build_report(tmp_path / "results", tmp_path / "report")
    assert summary.grades is not None
    totals = {r.student: (r.graded, r.total, r.notes()) for r in summary.grades.rows}
    assert totals == {"ana": (10.0, 10.0, ""), "bo": (10.0, 8.0, "-2: no tests")}


def test_matching_is_by_any_identifier_case_and_unicode_form_aside(tmp_path: Path) -> None:
    from grader.report.roster import match

    path = tmp_path / "moodle.csv"
    path.write_text(
        "Username,First name,Last name,Email address,ID number\n"
        "zoë,Zoë,Ng,zoe@uni.edu,7\n"
        "kim1,Kim,Lee,shared@uni.edu,8\n"
        "kim2,Kim,Park,shared@uni.edu,9\n",
        encoding="utf-8",
    )
    roster = read_roster(path)
    assert [e.name for e in roster] == ["Zoë Ng", "Kim Lee", "Kim Park"]  # first + last
    found = match(
        roster,
        {"ZOE\u0308": ["ZOE\u0308"], "shared": ["shared"], "x": ["x", "9"], "y": ["y"]},
    )
    # NFD "ZOË" is zoë; "shared" is both Kims' email part, so neither; "x" by its LMS id 9
    assert {s: e.login for s, e in found.entries.items()} == {"ZOE\u0308": "zoë", "x": "kim2"}
    assert found.unknown == ["shared", "y"]
    assert [e.login for e in found.missing] == ["kim1"]
