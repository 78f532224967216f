"""gradeformer the way it is deployed (issue #16, point 6): a wheel, installed (not editable)
in a fresh virtual environment, grading from a folder that is not the checkout.

- As the user running the tests, at every isolation level this machine offers, and at
  rlimits under `tests/tools/no_namespaces.py` (Docker's default seccomp profile): full
  marks, and JSON results that are byte-identical apart from their ``isolation`` field.
- As root, once more as an unprivileged uid (65534) with a Python that others can run,
  from a world-readable copy of the solutions: the same.
- Without namespaces and with no ``--isolation``, the grader falls back to rlimits, grades
  in full and says so with every exercise (the README's "rlimits only" promise).

Everything is built once for the module, in a folder made with `tempfile.mkdtemp` and
removed afterwards; the checkout is left as it was (no ``build/``, no ``*.egg-info``).
"""

from __future__ import annotations

import json
import os
import platform
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import isolation
from grader.spec import load_exercises

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tests" / "tools" / "no_namespaces.py"
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
LINUX = sys.platform.startswith("linux")
SECCOMP = LINUX and platform.machine() in ("x86_64", "aarch64")  # what no_namespaces.py knows
SECCOMP_RUN = "rlimits-seccomp"  # rlimits under no_namespaces.py
RUNS = [*(level.value for level in isolation.Isolation), SECCOMP_RUN]
NOBODY = 65534
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PROBE = (
    "import json; from grader.sandbox import isolation as i; "
    "print(json.dumps({'probes': {l.value: i.probe(l) for l in i.Isolation}, "
    "'detected': i.detect_isolation().value}))"
)


# -- helpers ---------------------------------------------------------------------------


def _run(command: list[Any], timeout: float = 300, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        **kwargs,
    )


def _shown(proc: subprocess.CompletedProcess) -> str:
    """A finished command for an assertion message: what ran, its code, its output's end."""
    command = " ".join(str(part) for part in proc.args)
    return (
        f"$ {command}\nexit {proc.returncode}\n"
        f"--- stdout (end)\n{proc.stdout[-3000:]}\n--- stderr (end)\n{proc.stderr[-3000:]}"
    )


def _ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, _shown(proc)
    return proc


def _env(bin_dir: Path, home: Path) -> dict[str, str]:
    """A clean environment, as a deployment would have: nothing of the test run's
    (no PYTHONPATH, no virtual environment, no GRADEFORMER_* variables)."""
    return {
        "PATH": f"{bin_dir}:{PATH}",
        "HOME": str(home),
        "GRADEFORMER_CACHE": str(home / "cache"),
        "LANG": "C.UTF-8",
    }


def _open_to_others(top: Path) -> None:
    """Let every user read `top`'s tree and enter its folders (and run what is runnable)."""
    for folder, dirs, files in os.walk(top):
        for path in [Path(folder), *(Path(folder) / name for name in dirs + files)]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            extra = stat.S_IROTH | stat.S_IRGRP
            if path.is_dir() or mode & stat.S_IXUSR:
                extra |= stat.S_IXOTH | stat.S_IXGRP
            path.chmod(mode | extra)


def _copy_source(dest: Path) -> None:
    """The checkout's files, as git sees them (tracked or new, not ignored), else the tree
    without caches and build products."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
    )
    if listed.returncode != 0:
        ignore = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "*.egg-info")
        shutil.copytree(ROOT, dest, ignore=ignore)
        return
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def _build_products() -> set[str]:
    return {p.name for p in (ROOT / "build", *ROOT.glob("*.egg-info")) if p.exists()}


@dataclass
class Install:
    python: Path
    gradeformer: Path
    home: Path  # HOME and the cache for the commands this install runs

    @property
    def env(self) -> dict[str, str]:
        return _env(self.python.parent, self.home)


@dataclass
class Run:
    """One `gradeformer grade --format json` run, or why it was not run."""

    level: str
    skipped: str | None = None
    proc: subprocess.CompletedProcess | None = None
    output: bytes | None = None

    def result(self, max_points: float, names: list[str]) -> dict[str, Any]:
        """The parsed result, checked: exit 0, full marks, graded at this run's level."""
        if self.skipped:
            pytest.skip(self.skipped)
        assert self.proc is not None
        shown = _shown(self.proc)
        assert self.proc.returncode == 0 and self.output is not None, shown
        result = json.loads(self.output)
        assert result["isolation"] == self.level.removesuffix("-seccomp"), shown
        assert result["error"] is None, result["error"]
        unfinished = [
            (ex["exercise"], ex["status"], ex["score"], ex["max_score"], ex["message"])
            for ex in result["exercises"]
            if ex["status"] != "graded" or ex["score"] != ex["max_score"]
        ]
        assert unfinished == [], shown
        assert [ex["exercise"] for ex in result["exercises"]] == names
        assert (result["score"], result["max_score"]) == (max_points, max_points), shown
        assert result["percent"] == 100.0
        return result

    def without_isolation(self) -> bytes:
        """The JSON as written, with its one isolation field blanked."""
        assert self.output is not None
        field = f'"isolation": "{self.level.removesuffix("-seccomp")}"'.encode()
        assert self.output.count(field) == 1, f"{self.level}: {field!r} is not there once"
        return self.output.replace(field, b'"isolation": "..."')


def _grade_runs(
    install: Install,
    solutions: Path,
    exercises: Path,
    out_dir: Path,
    available: dict[str, str | None],
    *,
    prefix: list[str] | None = None,
    tool: Path = TOOL,
) -> dict[str, Run]:
    """Grade `solutions` at each run of RUNS whose reason in `available` is None."""
    runs: dict[str, Run] = {}
    cwd = out_dir / "cwd"  # neither the checkout nor where the solutions are
    cwd.mkdir(exist_ok=True)
    for name in RUNS:
        if available[name] is not None:
            runs[name] = Run(name, skipped=available[name])
            continue
        out = out_dir / f"{name}.json"
        level = name.removesuffix("-seccomp")
        command: list[Any] = [install.gradeformer, "grade", solutions, "--exercises", exercises]
        command += ["--isolation", level, "--format", "json", "--no-timings", "--seed", "0"]
        command += ["--out", out]
        if name == SECCOMP_RUN:
            command = [install.python, tool, *command]
        env = [f"{key}={value}" for key, value in install.env.items()]
        proc = _run([*(prefix or []), "env", "-i", *env, *command], cwd=cwd, timeout=120)
        runs[name] = Run(name, proc=proc, output=out.read_bytes() if out.is_file() else None)
    return runs


def _seccomp_unavailable() -> str | None:
    if not SECCOMP:
        return f"no_namespaces.py needs Linux on x86_64 or aarch64, not {platform.machine()}"
    return None


# -- the install -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="gf-deploy-"))
    folder.chmod(0o755)  # the unprivileged user's part is inside
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def specs() -> tuple[float, list[str]]:
    """The most points a submission can score, and the exercises, from the specs."""
    exercises = load_exercises(EXERCISES)
    return sum(ex.points for ex in exercises), [ex.name for ex in exercises]


@pytest.fixture(scope="module")
def wheel(workdir: Path) -> Path:
    """A wheel of the checkout, built from a copy of it (the build's leftovers stay there)."""
    before = _build_products()
    source, wheels = workdir / "source", workdir / "wheels"
    _copy_source(source)
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source]))
    assert _build_products() == before, "the build left files in the checkout"
    built = sorted(wheels.glob("gradeformer-*.whl"))
    assert len(built) == 1, built
    return built[0]


@pytest.fixture(scope="module")
def install(workdir: Path, wheel: Path) -> Install:
    """The wheel installed, not editable, in a fresh virtual environment."""
    venv = workdir / "venv"
    _ok(_run([sys.executable, "-m", "venv", venv]))
    python = venv / "bin" / "python"
    _ok(_run([python, "-m", "pip", "install", "-q", wheel]))
    home = workdir / "home"
    home.mkdir()
    found = Install(python, venv / "bin" / "gradeformer", home)
    where = "import grader, reference; print(grader.__file__); print(reference.__file__)"
    proc = _ok(_run([python, "-c", where], cwd=home, env=found.env))
    for module in proc.stdout.split():
        assert Path(module).is_relative_to(venv) and not Path(module).is_relative_to(ROOT)
    assert found.gradeformer.is_file()
    return found


@pytest.fixture(scope="module")
def public(workdir: Path) -> Path:
    """solutions/, exercises/ and no_namespaces.py copied where every user can read them."""
    folder = workdir / "public"
    folder.mkdir()
    shutil.copytree(SOLUTIONS, folder / "solutions")
    shutil.copytree(EXERCISES, folder / "exercises")
    shutil.copy2(TOOL, folder / TOOL.name)
    _open_to_others(folder)
    return folder


# -- as the user running the tests -----------------------------------------------------


@pytest.fixture(scope="module")
def runs(install: Install, workdir: Path) -> dict[str, Run]:
    """The checkout's solutions graded by the installed gradeformer at each level."""
    available: dict[str, str | None] = {
        level.value: isolation.probe(level) for level in isolation.Isolation
    }
    available[SECCOMP_RUN] = _seccomp_unavailable() or available["rlimits"]
    out_dir = workdir / "results"
    out_dir.mkdir()
    return _grade_runs(install, SOLUTIONS, EXERCISES, out_dir, available)


@pytest.mark.parametrize("name", RUNS)
def test_the_installed_wheel_grades_the_solutions_in_full(
    runs: dict[str, Run], specs: tuple[float, list[str]], name: str
) -> None:
    runs[name].result(*specs)


def test_results_are_byte_identical_but_for_isolation(
    runs: dict[str, Run], specs: tuple[float, list[str]]
) -> None:
    done = [run for run in runs.values() if not run.skipped]
    for run in done:
        run.result(*specs)
    if len(done) < 2:
        pytest.skip(f"only {len(done)} level to compare here")
    first = done[0]
    for run in done[1:]:
        assert run.without_isolation() == first.without_isolation(), (
            f"{run.level} and {first.level} differ beyond isolation"
        )


# -- as an unprivileged user -----------------------------------------------------------


def _as_nobody() -> list[str]:
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    if shutil.which("runuser"):
        try:
            return ["runuser", "-u", pwd.getpwuid(NOBODY).pw_name, "--"]
        except KeyError:
            pass
    pytest.skip(f"neither setpriv nor runuser (with a user for uid {NOBODY}) is here")


def _python_for_others(as_nobody: list[str]) -> Path:
    """A Python 3.10+ with venv that uid 65534 can run (the tests' own may be in /root)."""
    tried: list[str] = []
    candidates = ["/usr/bin/python3", "/usr/local/bin/python3", shutil.which("python3", path=PATH)]
    for candidate in dict.fromkeys(c for c in candidates if c):
        version = "import sys; assert sys.version_info >= (3, 10), sys.version"
        runs = _run([*as_nobody, candidate, "-c", version], timeout=60, cwd="/")
        venv = _run([candidate, "-m", "venv", "--help"], timeout=60)
        if runs.returncode == 0 and venv.returncode == 0:
            return Path(candidate)
        why = (runs.stderr or venv.stderr).strip().splitlines()[-1:] or ["?"]
        tried.append(f"{candidate}: {why[0]}")
    pytest.skip(
        f"no Python 3.10+ with venv that uid {NOBODY} can run (tried {'; '.join(tried) or '-'})"
    )


def _nobody_can(as_nobody: list[str], command: list[str]) -> str | None:
    """None when `command` (making the namespaces a level needs) works as uid 65534."""
    proc = _run([*as_nobody, *command], timeout=60, cwd="/")
    if proc.returncode == 0:
        return None
    return f"uid {NOBODY} cannot: {' '.join(command)}: {proc.stderr.strip()[-300:]}"


@pytest.fixture(scope="module")
def nobody_runs(install: Install, wheel: Path, public: Path) -> dict[str, Run]:
    """The copied solutions graded as uid 65534 by a wheel install it can run."""
    if not LINUX or os.geteuid() != 0:
        pytest.skip("switching to an unprivileged uid needs root on Linux")
    as_nobody = _as_nobody()
    python = _python_for_others(as_nobody)
    venv = public / "venv"
    made = _run([python, "-m", "venv", venv])
    if made.returncode != 0:
        pytest.skip(f"{python} cannot make a virtual environment:\n{_shown(made)}")
    freeze = _ok(_run([install.python, "-m", "pip", "freeze", "--exclude", "gradeformer"]))
    pins = public / "constraints.txt"  # the same numpy and friends as the other install
    pins.write_text(freeze.stdout)
    _ok(_run([venv / "bin" / "python", "-m", "pip", "install", "-q", "-c", pins, wheel]))
    _open_to_others(venv)
    home = public / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    nobody = Install(venv / "bin" / "python", venv / "bin" / "gradeformer", home)
    bwrap = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"]
    bwrap += ["--proc", "/proc", "--dev", "/dev", "true"]
    unshare = ["unshare", "-U", "-r", "-m", "-n", "--pid", "--fork", "--kill-child"]
    unshare += ["--mount-proc", "true"]
    available: dict[str, str | None] = {
        "bwrap": "bwrap is not installed" if not shutil.which("bwrap") else None,
        "unshare": "unshare is not installed" if not shutil.which("unshare") else None,
        "rlimits": None,  # always: the floor the README promises
        SECCOMP_RUN: _seccomp_unavailable(),
    }
    available["bwrap"] = available["bwrap"] or _nobody_can(as_nobody, bwrap)
    available["unshare"] = available["unshare"] or _nobody_can(as_nobody, unshare)
    out_dir = home / "results"
    _ok(_run([*as_nobody, "mkdir", out_dir]))
    tool = public / TOOL.name
    solutions, exercises = public / "solutions", public / "exercises"
    return _grade_runs(
        nobody, solutions, exercises, out_dir, available, prefix=as_nobody, tool=tool
    )


@pytest.mark.parametrize("name", RUNS)
def test_an_unprivileged_user_grades_the_solutions_in_full(
    nobody_runs: dict[str, Run], specs: tuple[float, list[str]], name: str
) -> None:
    nobody_runs[name].result(*specs)


def test_an_unprivileged_user_gets_the_same_results(
    nobody_runs: dict[str, Run], runs: dict[str, Run], specs: tuple[float, list[str]]
) -> None:
    """Byte-identical between its own runs but for isolation; and the same as the results
    graded as the test user, but for where the solutions were and the Python version."""
    done = [run for run in nobody_runs.values() if not run.skipped]
    for run in done:
        run.result(*specs)
    assert done, "uid 65534 graded at no level"
    first = done[0]
    for run in done[1:]:
        assert run.without_isolation() == first.without_isolation(), (
            f"as uid {NOBODY}, {run.level} and {first.level} differ beyond isolation"
        )
    ours = [run for run in runs.values() if not run.skipped]
    if not ours:
        pytest.skip("nothing graded as the test user to compare with")

    def comparable(run: Run) -> dict[str, Any]:
        result = json.loads(run.without_isolation())
        del result["submission"], result["versions"]["python"]
        return result

    assert comparable(first) == comparable(ours[0])


# -- without namespaces, no level asked for --------------------------------------------


def test_without_namespaces_grading_falls_back_to_rlimits_and_says_so(
    install: Install, public: Path, specs: tuple[float, list[str]]
) -> None:
    """Where Docker's default seccomp profile refuses namespaces (a container, Gradescope),
    `gradeformer grade solutions/` still grades in full, at rlimits, and names that level
    with every exercise."""
    if reason := _seccomp_unavailable():
        pytest.skip(reason)
    max_points, names = specs
    wrapped = [install.python, TOOL]
    probed = _ok(_run([*wrapped, install.python, "-c", PROBE], cwd=public, env=install.env))
    found = json.loads(probed.stdout)
    assert found["detected"] == "rlimits", found
    assert found["probes"]["bwrap"] and found["probes"]["unshare"], found  # refused: reasons

    proc = _run([*wrapped, install.gradeformer, "grade", "solutions/"], cwd=public, env=install.env)
    shown = _shown(proc)
    assert proc.returncode == 0, shown
    headers = re.findall(r"^(\d\d \w+) +isolation: (.+)$", proc.stdout, re.MULTILINE)
    assert [label.replace(" ", "_") for label, _ in headers] == names, shown
    assert {level for _, level in headers} == {found["detected"]}, shown
    assert "✗" not in proc.stdout, shown
    total = re.search(r"^total: ([\d.]+)/([\d.]+) points \(([\d.]+)%\)", proc.stdout, re.M)
    assert total, shown
    assert [float(x) for x in total.groups()] == [max_points, max_points, 100.0], shown
