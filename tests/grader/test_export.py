"""CI exports: the Gradescope autograder run on a fake /autograder tree, and the GitHub
Actions workflow parsed and its commands run."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import cli
from grader.export.github import RESULT_FILE, workflow
from grader.export.gradescope import PINNED, build_autograder
from grader.spec import load_exercises
from grader.spec.finding import SOURCE_EXERCISES

CHECKOUT = SOURCE_EXERCISES.parent
SOLUTIONS = CHECKOUT / "solutions"
SOFTMAX = next(ex for ex in load_exercises(SOURCE_EXERCISES) if ex.module == "softmax")
GRADEFORMER = shutil.which("gradeformer")
needs_cli = pytest.mark.skipif(GRADEFORMER is None, reason="the gradeformer command is not on PATH")


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip, built for exercise 03 with term seed 5, unzipped as Gradescope would."""
    zip_path = build_autograder(
        tmp_path_factory.mktemp("export") / "autograder.zip", CHECKOUT, 5, ["softmax"]
    )
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # extractall drops the mode bits
            (root / "source" / info.filename).chmod(info.external_attr >> 16)
    return root


def run_autograder(root: Path, submission: Path, gradeformer: str) -> dict[str, object]:
    env = dict(os.environ, GRADEFORMER_AUTOGRADER_ROOT=str(root), GRADEFORMER_BIN=gradeformer)
    env["GRADEFORMER_SUBMISSION"] = str(submission)
    env.pop("GRADEFORMER_EXERCISES", None)
    done = subprocess.run(
        [str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr  # Gradescope wants 0 and a results file
    return json.loads((root / "results" / "results.json").read_text())  # type: ignore[no-any-return]


def test_the_zip_ships_the_package_the_pinned_versions_and_the_solutions_apart(
    autograder: Path,
) -> None:
    source = autograder / "source"
    for script in ("setup.sh", "run_autograder"):
        assert (source / script).stat().st_mode & stat.S_IXUSR
        subprocess.run(["bash", "-n", str(source / script)], check=True)
    package = source / "gradeformer"
    assert (package / "pyproject.toml").is_file() and (package / "reference").is_dir()
    assert (package / "exercises" / "03_softmax" / "misconceptions.py").is_file()
    assert not (package / "solutions").exists()  # not installed: only the self-test grades them
    assert (source / "solutions" / "03_softmax" / "softmax.py").read_bytes() == (
        SOLUTIONS / "03_softmax" / "softmax.py"
    ).read_bytes()
    assert not list(source.rglob("__pycache__"))
    assert "--seed 5 " in (source / "run_autograder").read_text()
    pins = (source / "constraints.txt").read_text().splitlines()
    for name in PINNED:
        assert f"{name}=={version(name)}" in pins
    setup = (source / "setup.sh").read_text()
    assert "--constraint" in setup and "constraints.txt" in setup
    assert "chmod -R go-rwx" in setup
    assert "--seed 5 " in setup and "--exercise softmax" in setup  # the self-test's
    assert "--fail-under 100" in setup


def test_setup_refuses_a_python_older_than_3_10(autograder: Path, tmp_path: Path) -> None:
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\necho 3.9\n")  # what `python3 -c ...` says on Python 3.9
    old.chmod(0o755)
    env = dict(os.environ, GRADEFORMER_PYTHON=str(old), GRADEFORMER_APT="skip")
    env.update(GRADEFORMER_AUTOGRADER_ROOT=str(autograder), GRADEFORMER_VENV=str(tmp_path / "v"))
    done = subprocess.run(
        ["bash", str(autograder / "source" / "setup.sh")], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "gradeformer needs Python 3.10 or newer" in done.stderr
    assert "is Python 3.9" in done.stderr
    assert not (tmp_path / "v").exists()  # it stopped before making anything


def test_export_picks_and_prints_a_term_seed_unless_given(tmp_path: Path) -> None:
    seeds = []
    for name in ("a.zip", "b.zip"):
        result = CliRunner().invoke(cli, ["export", "gradescope", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        found = re.search(r"term seed: (\d+) \(hidden inputs differ from other terms; "
                          r"pass --seed (\d+) to reproduce\)", result.output)  # fmt: skip
        assert found and found[1] == found[2], result.output
        with zipfile.ZipFile(tmp_path / name) as zf:
            for script in ("run_autograder", "setup.sh"):
                assert f"--seed {found[1]} " in zf.read(script).decode()
        seeds.append(found[1])
    assert seeds[0] != seeds[1]  # a fresh seed each term (equal once in a million runs)
    result = CliRunner().invoke(cli, ["export", "gradescope", "--out", str(tmp_path / "c.zip"),
                                      "--seed", "77"])  # fmt: skip
    assert result.exit_code == 0 and "term seed: 77\n" in result.output
    assert "--seed 77 " in zipfile.ZipFile(tmp_path / "c.zip").read("run_autograder").decode()


def test_export_refuses_an_unknown_exercise_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    result = CliRunner().invoke(
        cli, ["export", "gradescope", "--out", str(out), "--seed", "1", "--exercise", "nope"]
    )
    assert result.exit_code == 2 and "nope" in result.output
    assert not out.exists()


@needs_cli
def test_run_autograder_grades_the_submission_into_results_json(
    autograder: Path, tmp_path: Path
) -> None:
    assert GRADEFORMER is not None
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS / "03_softmax", submission, ignore=shutil.ignore_patterns("__py*"))
    results = run_autograder(autograder, submission, GRADEFORMER)
    tests = results["tests"]
    assert isinstance(tests, list) and len(tests) == len(SOFTMAX.checks) + len(SOFTMAX.questions)
    assert all({"name", "score", "max_score"} <= set(t) for t in tests)
    assert results["score"] == pytest.approx(SOFTMAX.points)
    assert sum(t["max_score"] for t in tests) == pytest.approx(SOFTMAX.points)

    shutil.copyfile(SOURCE_EXERCISES / "03_softmax" / "softmax.py", submission / "softmax.py")
    assert run_autograder(autograder, submission, GRADEFORMER)["score"] == 0


def test_run_autograder_still_writes_results_when_grading_fails(
    autograder: Path, tmp_path: Path
) -> None:
    broken = shutil.which("false")
    assert broken is not None
    results = run_autograder(autograder, tmp_path, broken)
    assert results["score"] == 0 and results["tests"] == []
    assert "could not grade this submission (exit status 1): no message" in str(results["output"])


def test_a_crash_is_one_line_in_results_json_and_no_traceback_anywhere(
    autograder: Path, tmp_path: Path
) -> None:
    crash = tmp_path / "gradeformer"
    crash.write_text(
        "#!/bin/sh\n"
        "echo 'Traceback (most recent call last):' >&2\n"
        "echo '  File \"/opt/gradeformer/grader/engine.py\", line 1' >&2\n"
        "echo 'RuntimeError: the \"cache\" is \\ broken' >&2\n"
        "echo >&2\n"
        "exit 1\n"
    )
    crash.chmod(0o755)
    env = dict(os.environ, GRADEFORMER_AUTOGRADER_ROOT=str(autograder), GRADEFORMER_BIN=str(crash))
    env["GRADEFORMER_SUBMISSION"] = str(tmp_path)
    done = subprocess.run(
        [str(autograder / "source" / "run_autograder")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0
    text = (autograder / "results" / "results.json").read_text()
    output = json.loads(text)["output"]
    assert output.startswith(
        "gradeformer could not grade this submission (exit status 1): "
        "RuntimeError: the cache is  broken. "
    )
    assert "\n" not in output
    assert "Traceback" not in text + done.stdout + done.stderr
    log = (autograder / "results" / "gradeformer-stderr.log").read_text()
    assert log.startswith("Traceback")  # the whole of it is kept for the instructor


def test_workflow_checks_on_push_and_uploads_the_json_result() -> None:
    data = yaml.safe_load(workflow(python="3.12", install="pip install -e ."))
    assert "push" in data["on"]
    steps = data["jobs"]["check"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert steps[1]["with"]["python-version"] == "3.12"
    runs = {s.get("name"): s.get("run", "") for s in steps}
    assert "pip install -e ." in runs["Install"]
    install = runs["Install"].splitlines()
    update = next(i for i, line in enumerate(install) if "apt-get update" in line)
    bubblewrap = next(i for i, line in enumerate(install) if "apt-get install" in line)
    assert update < bubblewrap  # a fresh runner's package lists are empty or stale
    assert all("||" in install[i] for i in (update, bubblewrap))  # neither stops the job
    assert runs["Check"] == "gradeformer check"
    upload = steps[uses.index("actions/upload-artifact")]
    assert upload["with"]["path"] == RESULT_FILE and upload["if"] == "always()"
    assert RESULT_FILE in runs["Result as JSON"] and "--format json" in runs["Result as JSON"]
    assert steps[-1]["if"] == "steps.check.outcome == 'failure'"


@needs_cli
def test_the_workflow_commands_work_in_a_students_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SOLUTIONS / "03_softmax", repo / "03_softmax")
    steps = yaml.safe_load(workflow())["jobs"]["check"]["steps"]
    runs = {s.get("name"): s["run"] for s in steps if "run" in s}
    env = dict(os.environ)
    env.pop("GRADEFORMER_EXERCISES", None)
    for name in ("Check", "Result as JSON"):
        command = runs[name].replace("gradeformer check", "gradeformer check softmax")
        command += "" if name == "Check" else " --exercise softmax"
        done = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((repo / RESULT_FILE).read_text())
    assert result["mode"] == "public" and result["percent"] == 100.0
