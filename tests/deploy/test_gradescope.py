"""Gradescope, simulated: the exported autograder built and run as Gradescope would, in
Docker's conditions.

The zip is unzipped into a fake /autograder in a temporary folder; setup.sh installs
gradeformer into a temporary venv (apt-get skipped, pip as configured on this machine),
makes the answer key root-only and grades the bundled solutions (its self-test), all under
`tests/tools/no_namespaces.py --no-landlock`: the seccomp filter that refuses namespaces and
mounts as Docker's default profile does, so that bubblewrap and unshare fail and only the
rlimits level is left, and Landlock refused too (an older kernel or Docker), the worst case,
where file modes alone keep the answer key from student code. run_autograder then grades,
under the same filter, the solutions (with Landlock allowed too), a buggy submission and
every attack of tests/adversarial/submissions. The install happens once
(a module fixture, in a folder of its own under /tmp, removed afterwards); the test that
breaks the self-test reinstalls into the same venv and runs last.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from grader.export.gradescope import PINNED, build_autograder
from grader.spec import load_exercises
from grader.spec.finding import SOURCE_EXERCISES

CHECKOUT = SOURCE_EXERCISES.parent
SOLUTIONS = CHECKOUT / "solutions"
NO_NAMESPACES = CHECKOUT / "tests" / "tools" / "no_namespaces.py"
ATTACKS_DIR = CHECKOUT / "tests" / "adversarial" / "submissions"
ATTACKS = sorted(p.parent.name for p in ATTACKS_DIR.glob("*/softmax.py") if p.parent.name != "good")
SLOW_ATTACKS = ("fork_bomb", "infinite_loop", "sleep_past_timeout", "disk_search")  # timeouts
EXERCISES = load_exercises(SOURCE_EXERCISES)
TOTAL = sum(ex.points for ex in EXERCISES)  # 120: twelve exercises of 10 points
SOFTMAX = next(ex for ex in EXERCISES if ex.module == "softmax")
SEED = 2027
MAX_SHIFT = (
    "    z = z - z.max(axis=axis, keepdims=True)  # the largest exponent is now 0: no overflow\n"
)

CAN_SIMULATE = (
    sys.platform.startswith("linux")
    and platform.machine() in ("x86_64", "aarch64")
    and os.geteuid() == 0
    and shutil.which("bash") is not None
)
WHY_NOT = (
    "simulating Gradescope needs root on Linux x86_64 or aarch64: tests/tools/"
    "no_namespaces.py installs a seccomp filter, and setup.sh hides the answer key from other uids"
)
docker_like = pytest.mark.skipif(not CAN_SIMULATE, reason=WHY_NOT)
pytestmark = pytest.mark.slow


@dataclass
class Autograder:
    """The fake /autograder tree, its venv and the environment both scripts run with."""

    root: Path
    venv: Path
    env: dict[str, str]
    setup: subprocess.CompletedProcess[str]

    @property
    def source(self) -> Path:
        return self.root / "source"


@dataclass
class Run:
    """What one run_autograder left: its exit status, output and results.json."""

    returncode: int
    stdout: str
    stderr: str
    text: str  # results.json as written

    @property
    def results(self) -> dict[str, object]:
        return json.loads(self.text)  # type: ignore[no-any-return]

    def tests(self, module: str | None = None) -> list[dict[str, object]]:
        tests = self.results["tests"]
        assert isinstance(tests, list)
        return [t for t in tests if module is None or module in t["tags"]]

    def score(self, module: str) -> float:
        return sum(float(t["score"]) for t in self.tests(module))  # type: ignore[arg-type]

    def max_score(self, module: str) -> float:
        return sum(float(t["max_score"]) for t in self.tests(module))  # type: ignore[arg-type]


def unzip(zip_path: Path, root: Path) -> None:
    """The zip into root/source, as Gradescope does (modes included)."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # extractall drops the mode bits
            (root / "source" / info.filename).chmod(info.external_attr >> 16)


def docker(
    command: list[str], env: dict[str, str], timeout: float, landlock: bool = False
) -> subprocess.CompletedProcess[str]:
    """`command` under the seccomp filter of Docker's default profile, and by default with
    Landlock refused too (an older kernel or Docker): the worst case, where only file modes
    keep the answer key from student code."""
    flags = [] if landlock else ["--no-landlock"]
    return subprocess.run(
        [sys.executable, str(NO_NAMESPACES), *flags, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment without gradeformer's variables (the test run's probes,
    a cache), with HOME and pip's cache in the temporary folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADEFORMER_")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    env["PIP_CACHE_DIR"] = str(home / "pip-cache")
    return env


@pytest.fixture(scope="module")
def autograder() -> Iterator[Autograder]:
    """The zip for every exercise with term seed SEED, set up once into a temporary venv.

    In a folder of its own that everyone may enter, as /autograder and /opt are on
    Gradescope (pytest's temporary folders are root-only, which would hide the answer key
    whatever setup.sh did); removed afterwards."""
    if not CAN_SIMULATE:
        pytest.skip(WHY_NOT)
    workspace = Path(tempfile.mkdtemp(prefix="gradeformer-gradescope-"))
    try:
        workspace.chmod(0o755)
        zip_path = build_autograder(workspace / "autograder.zip", CHECKOUT, SEED)
        root, venv = workspace / "autograder", workspace / "venv"
        unzip(zip_path, root)
        (workspace / "private").mkdir(mode=0o700)  # submissions and results of the runs
        env = clean_env(workspace / "private" / "home")
        env.update(
            GRADEFORMER_AUTOGRADER_ROOT=str(root),
            GRADEFORMER_VENV=str(venv),
            GRADEFORMER_PYTHON=sys.executable,
            GRADEFORMER_APT="skip",
        )
        setup = docker(["bash", str(root / "source" / "setup.sh")], env, timeout=600)
        assert setup.returncode == 0, f"setup.sh failed:\n{setup.stdout}\n{setup.stderr}"
        yield Autograder(root, venv, env, setup)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def run_autograder(ag: Autograder, submission: Path, name: str, landlock: bool = False) -> Run:
    """run_autograder, under the filter, on a copy of `submission` in a tree of its own."""
    tree = ag.root.parent / "private" / "runs" / name
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(submission, tree / "submission", ignore=shutil.ignore_patterns("__py*"))
    results = tree / "results" / "results.json"
    env = dict(ag.env, GRADEFORMER_SUBMISSION=str(tree / "submission"))
    env["GRADEFORMER_RESULTS"] = str(results)
    done = docker([str(ag.source / "run_autograder")], env, timeout=300, landlock=landlock)
    return Run(done.returncode, done.stdout, done.stderr, results.read_text())


def grader_tracebacks(run: Run) -> list[str]:
    """Tracebacks that are not the student's own: any in run_autograder's output, and any
    in results.json with a frame outside the submission's modules (a student's traceback,
    shown as feedback, names only their file: File "softmax.py", line 11)."""
    found = [f"{where}: Traceback" for where in ("stdout", "stderr")
             if "Traceback" in getattr(run, where)]  # fmt: skip
    data = run.results
    assert "Traceback" not in str(data.get("output", "")), "the summary holds a traceback"
    for test in run.tests():
        output = str(test["output"])
        if "Traceback" not in output:
            continue
        frames = re.findall(r'File "([^"]*)"', output)
        outside = [f for f in frames if Path(f).name != f or not f.endswith(".py")]
        if not frames or outside:
            found.append(f"{test['name']}: {output}")
    return found


@docker_like
def test_setup_installs_the_pinned_versions_and_passes_its_self_test(
    autograder: Autograder,
) -> None:
    out = autograder.setup.stdout
    assert "apt-get skipped" in out
    assert "isolation: rlimits" in out  # no namespaces: the self-test ran as on Gradescope
    assert f"total: {TOTAL:.1f}/{TOTAL:g} points (100.0%)" in out
    assert "self-test passed" in out
    constraints = (autograder.source / "constraints.txt").read_text()
    script = "import importlib.metadata as m, sys; print(*(m.version(n) for n in sys.argv[1:]))"
    installed = subprocess.run(
        [str(autograder.venv / "bin" / "python"), "-c", script, *PINNED],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for name, got in zip(PINNED, installed, strict=True):
        assert got == version(name), f"{name} {got} installed, {version(name)} exported"
        assert f"{name}=={version(name)}\n" in constraints


@docker_like
def test_setup_leaves_the_answer_key_to_root_and_python_to_everyone(
    autograder: Autograder,
) -> None:
    site = next((autograder.venv / "lib").glob("python3*/site-packages"))
    secret = [autograder.source, site / "grader", site / "reference"]
    assert (autograder.source / "solutions" / "03_softmax" / "softmax.py").is_file()
    for top in secret:
        for path in [top, *top.rglob("*")]:
            assert not path.lstat().st_mode & 0o077, f"{path} is open to others"
    for needed in (site, site / "numpy", site / "numpy" / "__init__.py"):
        mode = needed.stat().st_mode
        assert mode & stat.S_IROTH and (mode & stat.S_IXOTH or needed.is_file()), needed


WALK = """
import os, sys
os.setgroups([]); os.setgid(65534); os.setuid(65534)  # Python loaded, as root; now nobody
for top in sys.argv[1:]:
    for folder, _, files in os.walk(top):
        for name in files:
            try:
                with open(os.path.join(folder, name), "rb") as f:
                    f.read(1)
                print(os.path.join(folder, name))
            except OSError:
                pass
"""


@docker_like
def test_nothing_in_the_autograder_is_readable_to_a_student_uid(autograder: Autograder) -> None:
    """What disk_search would find in the autograder's own files, as the uid student code
    runs as at rlimits with neither namespaces nor Landlock: numpy, nothing of the key."""
    readable = subprocess.run(
        [sys.executable, "-c", WALK, str(autograder.root), str(autograder.venv)],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    site = next((autograder.venv / "lib").glob("python3*/site-packages"))
    assert str(site / "numpy" / "__init__.py") in readable  # the walk does read what it may
    key = [autograder.root, site / "grader", site / "reference"]
    assert [p for p in readable if any(Path(p).is_relative_to(k) for k in key)] == []


@docker_like
@pytest.mark.parametrize("landlock", [False, True], ids=["modes-only", "landlock"])
def test_the_solutions_score_full_marks_at_rlimits(autograder: Autograder, landlock: bool) -> None:
    run = run_autograder(autograder, SOLUTIONS, f"solutions-{landlock}", landlock)
    assert run.returncode == 0
    failed = [(t["name"], t["output"]) for t in run.tests() if t["status"] != "passed"]
    assert failed == []
    data = run.results
    assert data["score"] == pytest.approx(TOTAL)
    assert data["extra_data"] == {  # type: ignore[comparison-overlap]
        "max_score": TOTAL, "percent": 100.0, "seed": SEED, "isolation": "rlimits",
        "schema_version": 1,
    }  # fmt: skip
    assert sum(float(t["max_score"]) for t in run.tests()) == pytest.approx(TOTAL)  # type: ignore[arg-type]
    assert {ex.module for ex in EXERCISES} <= {t["tags"][0] for t in run.tests()}  # type: ignore[index]
    assert grader_tracebacks(run) == []


@docker_like
def test_a_buggy_softmax_gets_partial_credit_and_feedback(
    autograder: Autograder, tmp_path: Path
) -> None:
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, submission, ignore=shutil.ignore_patterns("__py*"))
    module = submission / "03_softmax" / "softmax.py"
    code = module.read_text()
    assert MAX_SHIFT in code  # the solution still has the line this test removes
    module.write_text(code.replace(MAX_SHIFT, "", 1))
    run = run_autograder(autograder, submission, "no_max_shift")
    assert run.returncode == 0
    assert 0 < run.score("softmax") < SOFTMAX.points
    assert run.max_score("softmax") == pytest.approx(SOFTMAX.points)
    assert float(run.results["score"]) < TOTAL  # type: ignore[arg-type]
    failed = [t for t in run.tests("softmax") if t["status"] == "failed"]
    assert any("large logits stay finite" in str(t["name"]) for t in failed)
    hint = next(m.hint for m in SOFTMAX.misconceptions if m.name == "no max subtraction")
    outputs = "\n".join(str(t["output"]) for t in failed)
    assert hint.split(".")[0] in outputs  # the likely bug, named to the student
    assert grader_tracebacks(run) == []


@pytest.fixture(scope="module")
def attack_runs(autograder: Autograder) -> dict[str, Run]:
    """run_autograder on each attack as the submission's softmax.py, four at a time (most
    of an attack's time is spent waiting for a timeout).

    With Landlock refused, except disk_search: it walks the whole disk, and this machine,
    unlike a Gradescope container, may hold other world-readable copies of the answer key
    (other checkouts and test folders in /tmp). What it would find in the autograder's own
    files is checked by test_nothing_in_the_autograder_is_readable_to_a_student_uid."""
    tmp = autograder.root.parent / "private" / "attacks"

    def one(name: str) -> Run:
        submission = tmp / name
        submission.mkdir(parents=True)
        shutil.copyfile(ATTACKS_DIR / name / "softmax.py", submission / "softmax.py")
        return run_autograder(autograder, submission, f"attack_{name}", name == "disk_search")

    slow_first = sorted(ATTACKS, key=lambda name: name not in SLOW_ATTACKS)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(slow_first, pool.map(one, slow_first), strict=True))


@docker_like
@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_earns_nothing_and_breaks_nothing(
    attack_runs: dict[str, Run], attack: str
) -> None:
    run = attack_runs[attack]
    assert run.returncode == 0, run.stderr
    assert run.max_score("softmax") == pytest.approx(SOFTMAX.points)  # softmax was graded
    assert run.score("softmax") == 0, [t for t in run.tests("softmax") if t["score"]]
    assert run.results["extra_data"]["isolation"] == "rlimits"  # type: ignore[index]
    assert grader_tracebacks(run) == []


@docker_like
def test_a_grading_failure_is_explained_in_results_json(autograder: Autograder) -> None:
    results = autograder.root.parent / "private" / "missing" / "results" / "results.json"
    env = dict(autograder.env, GRADEFORMER_RESULTS=str(results))
    env["GRADEFORMER_SUBMISSION"] = str(autograder.root / "no-such-submission")
    done = docker([str(autograder.source / "run_autograder")], env, timeout=120)
    assert done.returncode == 0
    data = json.loads(results.read_text())
    assert data["score"] == 0 and data["tests"] == []
    assert (
        "could not grade this submission (exit status 2): Error: no submission at"
        in (data["output"])
    )
    assert "Traceback" not in done.stdout + done.stderr + results.read_text()


@docker_like
def test_setup_fails_the_build_when_a_bundled_solution_is_wrong(
    autograder: Autograder, tmp_path: Path
) -> None:
    """Last: it reinstalls gradeformer into the module's venv (then hides it again)."""
    root = tmp_path / "autograder"
    unzip(autograder.root.parent / "autograder.zip", root)
    stub = SOURCE_EXERCISES / "03_softmax" / "softmax.py"  # "not implemented yet"
    shutil.copyfile(stub, root / "source" / "solutions" / "03_softmax" / "softmax.py")
    env = dict(autograder.env, GRADEFORMER_AUTOGRADER_ROOT=str(root))
    env["GRADEFORMER_CACHE"] = str(autograder.source / "cache")  # the cases already computed
    done = docker(["bash", str(root / "source" / "setup.sh")], env, timeout=600)
    assert done.returncode != 0
    assert "self-test: grading the bundled solutions" in done.stdout
    assert "self-test passed" not in done.stdout
    assert "BUILD FAILED: SELF-TEST FAILED" in done.stderr
    assert "do not score full marks" in done.stderr
    assert "softmax" in done.stderr  # the failing exercise is named
    assert not (root / "source").stat().st_mode & 0o077  # hidden before the self-test ran
