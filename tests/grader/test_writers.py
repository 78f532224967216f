"""The output formats, each validated against its published spec and read back.

The Gradescope and Exercism schemas below are written from the published specs:
https://gradescope-autograders.readthedocs.io/en/latest/specs/ and
https://exercism.org/docs/building/tooling/test-runners/interface (version 3).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from grader import writers
from grader.cli import cli
from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.writers import formats, write

FIXTURES = Path(__file__).parent / "fixtures"

# Strings that only the hidden checks carry: no format may ever print them.
SECRETS = ["0.8312345", "SECRET-INPUT-[7, 3]", "hidden print 42", "HIDDEN-TRACE"]

VIS = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FMT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FMT,
        "test_output_format": FMT,
        "test_name_format": FMT,
        "visibility": VIS,
        "stdout_visibility": VIS,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": FMT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": FMT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VIS,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}
EXERCISM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "status", "tests"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 3},
        "status": {"enum": ["pass", "fail", "error"]},
        "message": {"type": ["string", "null"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "test_code": {"type": "string"},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "message": {"type": ["string", "null"]},
                    "output": {"type": ["string", "null"], "maxLength": 500},
                    "task_id": {"type": "number"},
                },
            },
        },
    },
    "if": {"properties": {"status": {"const": "error"}}},
    "then": {"required": ["message"], "properties": {"message": {"type": "string"}}},
}


def check(name: str, status: str, pts: float, max_pts: float = 2.0, **kw: Any) -> CheckResult:
    kind = kw.pop("kind", "allclose")
    visibility = kw.pop("visibility", "public")
    return CheckResult(name, visibility, kind, status, pts, max_pts, **kw)  # type: ignore[arg-type]


def softmax_result() -> ExerciseResult:
    checks = [
        check(
            "hand-worked: softmax([1, 2, 3]) = [0.090, 0.245, 0.665]",
            "pass",
            2.0,
            visibility="hand-worked",
            duration_s=0.01,
        ),
        check(
            "large logits stay finite (logits of ±1e4)",
            "fail",
            0.0,
            message="your softmax returned nan at [0, 1] (and 3 more of 14 elements)",
            details=["max abs error nan at [0, 1] (expected 0.5, got nan)"],
            misconception="no max subtraction",
            hint="Subtract max(x) along the axis first.",
            output="debug: z = [inf, inf]\n",
        ),
        check("temperature 0.5", "error", 0.0, message="timed out after 10 s"),
        check(
            "axis=0 on a 3-D input",
            "fail",
            0.0,
            visibility="hidden",
            message="max abs error 0.71 at [2, 0, 1] (expected 0.1203, got 0.8312345)",
            details=["input SECRET-INPUT-[7, 3]"],
            misconception="hidden-bug",
            hint="wrong axis",
            trace=["HIDDEN-TRACE"],
            output="hidden print 42",
        ),
        check(
            "shifting the logits changes nothing",
            "pass",
            2.0,
            visibility="hidden",
            kind="property",
            output="hidden print 42",
        ),
    ]
    return ExerciseResult(
        "03_softmax", "Softmax", "softmax", "graded", 4.0, 10.0, checks=checks, duration_s=0.4
    )


def sample_result() -> SubmissionResult:
    dot = ExerciseResult(
        "01_dot_product",
        "Dot product",
        "dot_product",
        "graded",
        0.0,
        4.0,
        duration_s=0.2,
        checks=[
            check(
                "hand-worked: dot([1, 2, 3], [4, 5, 6]) should be 32",
                "fail",
                0.0,
                4.0,
                visibility="hand-worked",
                message="you returned 31.0",
                trace=["1·4 + 2·5 + 3·6 = 4 + 10 + 18 = 32"],
                output="x" * 900,
            ),
        ],
    )
    bpe = ExerciseResult(
        "07_bpe",
        "BPE",
        "bpe",
        "not_implemented",
        0.0,
        10.0,
        message="not implemented yet (train_bpe raises NotImplementedError)",
    )
    backprop = ExerciseResult(
        "05_backprop",
        "Backprop",
        "backprop",
        "not_submitted",
        0.0,
        10.0,
        message="backprop.py not found",
    )
    return SubmissionResult(
        submission="alice/",
        student="alice",
        mode="hidden",
        seed=2026,
        isolation="bwrap",
        score=4.0,
        max_score=34.0,
        exercises=[dot, softmax_result(), bpe, backprop],
        versions={"gradeformer": "0.1.0"},
        started_at="2026-11-23T15:00:00Z",
        duration_s=1.3,
    )


def render(result: SubmissionResult, fmt: str, timings: bool = True) -> str:
    stream = io.StringIO()
    write(result, fmt, stream, timings=timings)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", formats())
def test_hidden_values_and_prints_never_appear(fmt: str) -> None:
    text = render(sample_result(), fmt)
    for secret in SECRETS:
        assert secret not in text, f"{fmt} leaks {secret!r}"
    assert "axis=0 on a 3-D input" in text  # the hidden check's name is shown
    assert "hidden-bug" in text  # and the misconception it matched: our words, never values


@pytest.mark.parametrize("fmt", formats())
def test_a_hidden_check_keeps_the_engines_value_free_message(fmt: str) -> None:
    message = "error on a hidden input (2×3×6 logits): softmax: timed out after 10 s"
    timed_out = check(
        "a batch of 3-D logits",
        "error",
        0.0,
        visibility="hidden",
        message=message,
        details=["SECRET-INPUT-[7, 3]"],
    )
    result = sample_result()
    result.exercises[1].checks.append(timed_out)
    text = render(result, fmt)
    assert message in text or message.replace("×", "\\u00d7") in text
    assert "SECRET-INPUT" not in text


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(sample_result(), "xml")


TOY_WRITER = '''"""A toy output format: one line per exercise."""

from typing import TextIO


def write(result, stream: TextIO, *, timings: bool = True) -> None:
    for ex in result.exercises:
        stream.write(f"toy {ex.exercise} {ex.score:g}/{ex.max_score:g}\\n")
'''


@pytest.fixture
def toy_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new format added as a new writer is: its module (here in a package of its own, on
    the path) and one line in the registry, `grader.writers.WRITERS`."""
    package = tmp_path / "toy_formats"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "toy.py").write_text(TOY_WRITER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(writers.WRITERS, "toy", "toy_formats.toy")
    yield "toy"
    for name in ("toy_formats.toy", "toy_formats"):
        sys.modules.pop(name, None)


def test_a_registered_format_is_a_choice_of_every_format_option(
    toy_format: str, fake_reference: object
) -> None:
    """One module and one registry line: `grade --help` lists the format, and `grade` and
    `check` write with it; an unregistered one is a usage error naming the registered."""
    assert formats() == ("terminal", "json", "gradescope", "exercism", "junit", "toy")
    shown = CliRunner().invoke(cli, ["grade", "--help"])
    assert shown.exit_code == 0
    choices = "--format [terminal|json|gradescope|exercism|junit|toy]"
    assert choices in " ".join(shown.output.split())
    exercises = ["--exercises", str(FIXTURES / "exercises")]
    correct = str(FIXTURES / "submissions" / "correct")
    graded = CliRunner().invoke(cli, ["grade", correct, *exercises, "--format", toy_format])
    assert (graded.exit_code, graded.stdout) == (0, "toy 01_scale 10/10\ntoy 02_total 5/5\n")
    args = ["check", "scale", *exercises, "--path", correct, "--format", toy_format]
    checked = CliRunner().invoke(cli, args)
    assert (checked.exit_code, checked.stdout) == (0, "toy 01_scale 10/10\n")
    refused = CliRunner().invoke(cli, ["check", "--format", "xml"])
    assert refused.exit_code == 2
    named = "'xml' is not one of 'terminal', 'json', 'gradescope', 'exercism', 'junit', 'toy'"
    assert named in refused.output


def test_the_cli_imports_no_writer_to_list_the_formats() -> None:
    """Reading the registry (the CLI's `--format` choices) imports no writer module, so
    `gradeformer check` does not pay for rich or XML before it has a result to write."""
    code = (
        "import sys, click; from grader.cli import cli\n"
        "for name in ('check', 'grade'):\n"
        "    command = cli.get_command(click.Context(cli), name)\n"
        "    command.get_help(click.Context(command, info_name=name))\n"
        "print(sorted(m for m in sys.modules if m.startswith('grader.writers.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_terminal_plain_text_lines() -> None:
    lines = render(sample_result(), "terminal").splitlines()
    assert "\x1b[" not in "".join(lines)  # a StringIO is no tty: no colour codes
    assert lines[0].startswith("01 dot_product") and lines[0].endswith("isolation: bwrap")
    expected = [
        "  ✗ hand-worked: dot([1, 2, 3], [4, 5, 6]) should be 32",
        "      1·4 + 2·5 + 3·6 = 4 + 10 + 18 = 32",
        "  ✓ hand-worked: softmax([1, 2, 3]) = [0.090, 0.245, 0.665]",
        "      your softmax returned nan at [0, 1] (and 3 more of 14 elements)",
        "      likely bug: no max subtraction: Subtract max(x) along the axis first.",
        "      | debug: z = [inf, inf]",
        "      timed out after 10 s",
        "  ✗ hidden: axis=0 on a 3-D input (allclose)",
        "softmax: 2/5 checks, 4.0/10 points · 0.4 s",
        "  · 07 bpe: not implemented yet (train_bpe raises NotImplementedError)",
        "  · 05 backprop: backprop.py not found",
        "alice · total: 4.0/34 points (11.8%) · 0 of 4 exercises complete · 1.3 s",
    ]
    for line in expected:
        assert line in lines, line
    assert lines.index(expected[2]) < lines.index(expected[7]) < lines.index(expected[8])


def test_terminal_without_timings_has_no_seconds() -> None:
    text = render(sample_result(), "terminal", timings=False)
    assert "softmax: 2/5 checks, 4.0/10 points\n" in text
    assert re.search(r"· \d+\.\d s", text) is None


def test_terminal_colours_a_tty() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    write(sample_result(), "terminal", stream)
    assert "\x1b[" in stream.getvalue()


def test_terminal_does_not_parse_student_text_as_markup() -> None:
    result = sample_result()
    result.exercises[1].checks[1].message = "[bold]not markup[/bold] [0, 1]"
    assert "[bold]not markup[/bold] [0, 1]" in render(result, "terminal")


def test_json_matches_shipped_schema_and_round_trips() -> None:
    schema = json.loads(resources.files("grader").joinpath("data/results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(render(sample_result(), "json"))
    jsonschema.validate(data, schema)
    again = SubmissionResult.from_dict(data)
    assert again.score == 4.0 and again.exercise("softmax").checks[1].misconception == (  # type: ignore[union-attr]
        "no max subtraction"
    )
    no_timing = json.loads(render(sample_result(), "json", timings=False))
    jsonschema.validate(no_timing, schema)
    assert "duration_s" not in json.dumps(no_timing) and "started_at" not in no_timing


def test_json_schema_rejects_a_bad_status() -> None:
    schema = json.loads(resources.files("grader").joinpath("data/results.schema.json").read_text())
    data = json.loads(render(sample_result(), "json"))
    data["exercises"][0]["checks"][0]["status"] = "passed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_gradescope_results_json() -> None:
    data = json.loads(render(sample_result(), "gradescope"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 4.0 and data["extra_data"]["max_score"] == 34.0
    tests = {t["name"]: t for t in data["tests"]}
    assert len(tests) == 1 + 5 + 1 + 1  # one per check; one per exercise that did not run
    hidden = tests["03 softmax › axis=0 on a 3-D input (hidden, allclose)"]
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    worked = tests["03 softmax › hand-worked: softmax([1, 2, 3]) = [0.090, 0.245, 0.665]"]
    assert (worked["number"], worked["score"], worked["max_score"]) == ("3.1", 2.0, 2.0)
    assert worked["visibility"] == "visible" and worked["status"] == "passed"
    assert tests["07 bpe"]["status"] == "failed" and tests["07 bpe"]["max_score"] == 10.0
    assert sum(t["max_score"] for t in data["tests"]) == 34.0
    assert "execution_time" not in json.loads(render(sample_result(), "gradescope", False))


def test_exercism_results_json() -> None:
    data = json.loads(render(sample_result(), "exercism"))
    jsonschema.validate(data, EXERCISM_SCHEMA)
    assert (data["version"], data["status"], data["message"]) == (3, "fail", None)
    statuses = [t["status"] for t in data["tests"]]
    assert statuses == ["fail", "pass", "fail", "error", "fail", "pass", "fail", "fail"]
    assert [t["task_id"] for t in data["tests"]] == [1, 3, 3, 3, 3, 3, 7, 5]
    dot = data["tests"][0]
    assert len(dot["output"]) == 500 and dot["output"].endswith("Please limit to 500 chars")
    assert "output" not in data["tests"][5]  # hidden check: its prints are dropped


def test_exercism_status_pass_and_error() -> None:
    passing = sample_result()
    passing.exercises = [passing.exercises[1]]
    passing.exercises[0].checks = [c for c in passing.exercises[0].checks if c.passed]
    assert json.loads(render(passing, "exercism"))["status"] == "pass"
    broken = sample_result()
    broken.error = "alice.zip is not a valid zip file"
    broken.exercises = []
    data = json.loads(render(broken, "exercism"))
    jsonschema.validate(data, EXERCISM_SCHEMA)
    assert (data["status"], data["message"]) == ("error", "alice.zip is not a valid zip file")


def test_junit_parses_back_with_counts() -> None:
    root = ET.fromstring(render(sample_result(), "junit"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["01_dot_product", "03_softmax", "07_bpe", "05_backprop"]
    softmax = suites["03_softmax"]
    counts = [softmax.get(k) for k in ("tests", "failures", "errors")]
    assert counts == ["5", "2", "1"]
    assert [root.get(k) for k in ("tests", "failures", "errors")] == ["8", "5", "1"]
    first = softmax.findall("testcase")[1]
    props = {p.get("name"): p.get("value") for p in first.iter("property")}
    assert props == {
        "points": "0.0",
        "max_points": "2.0",
        "visibility": "public",
        "kind": "allclose",
    }
    failure = first.find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "your softmax returned nan at [0, 1] (and 3 more of 14 elements)"
    )
    assert "likely bug: no max subtraction" in (failure.text or "")
    assert first.findtext("system-out") == "debug: z = [inf, inf]\n"
    bpe_case = suites["07_bpe"].find("testcase/failure")
    assert bpe_case is not None and bpe_case.get("type") == "not_implemented"


def test_terminal_groups_by_hand_answers() -> None:
    result = sample_result()
    missing = "no answers.yaml found beside the module"
    result.exercises[1].checks += [
        check("answers.yaml: p_first", "pass", 1.0, 1.0, kind="answer"),
        check(
            "answers.yaml: shifted",
            "fail",
            0.0,
            1.0,
            kind="answer",
            message=missing,
            trace=["softmax(x + c) = softmax(x)"],
        ),
        check("answers.yaml: cold", "fail", 0.0, 1.0, kind="answer", message=missing),
        check(
            "answers.yaml: uniform",
            "fail",
            0.0,
            1.0,
            kind="answer",
            message="you answered 0.5, expected a value within 0.001 of 0.333",
        ),
    ]
    lines = render(result, "terminal").splitlines()
    assert "  ✗ 2 by-hand answers: no answers.yaml found beside the module" in lines
    assert "  ✗ answers.yaml: uniform" in lines
    assert "      you answered 0.5, expected a value within 0.001 of 0.333" in lines
    assert "  answers.yaml: 1/4 by-hand answers correct" in lines
    assert "  ✗ answers.yaml: shifted" not in lines  # shares its reason with "cold"
    assert "softmax: 3/9 checks, 4.0/10 points · 0.4 s" in lines


def test_a_flood_of_prints_is_cut_to_its_head_and_tail() -> None:
    flood = "".join(f"line {i}\n" for i in range(3000))
    result = sample_result()
    result.exercises[1].checks[1].output = flood  # a failing public check
    lines = render(result, "terminal").splitlines()
    shown = [ln for ln in lines if ln.strip().startswith("| line ")]
    assert len(shown) == 16
    assert "| line 0" in lines[lines.index(shown[0])] and shown[-1].endswith("line 2999")
    assert any("… 2984 more lines …" in ln for ln in lines)


def test_a_submission_level_error_is_one_line_not_one_per_exercise() -> None:
    result = sample_result()
    result.error = "alice.zip is not a valid zip file (bad central directory)"
    text = render(result, "terminal")
    assert text.strip().splitlines() == [
        "Error: alice.zip is not a valid zip file (bad central directory)"
    ]


def test_a_public_run_says_how_many_hidden_checks_remain() -> None:
    result = sample_result()
    result.exercises[1].hidden_not_run = 3
    lines = render(result, "terminal").splitlines()
    assert "  + 3 hidden checks run at grading, not here" in lines
    assert not any(
        "hidden checks run at grading" in ln
        for ln in render(sample_result(), "terminal").splitlines()
    )


def test_points_are_written_as_people_write_them() -> None:
    from grader.writers.feedback import points

    assert [points(10.0), points(2.5), points(10 / 11), points(120.0)] == [
        "10",
        "2.5",
        "0.91",
        "120",
    ]


def test_the_same_error_on_consecutive_checks_is_said_once() -> None:
    crash = "softmax has no function softmax (found: soft_max)"
    result = sample_result()
    result.exercises[1].checks = [
        check(f"check {i}", "error", 0.0, message=crash, trace=[f"step {i}"]) for i in range(4)
    ]
    text = render(result, "terminal")
    assert text.count(crash) == 1
    assert text.count("(the same as above)") == 3
    assert all(f"step {i}" in text for i in range(4))  # each hand-worked trace still shown
