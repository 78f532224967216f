"""`gradeformer export gradescope`: an autograder zip for Gradescope that cannot silently
give zeros.

Gradescope unzips the file into ``/autograder/source``, runs ``setup.sh`` once, as root,
while it builds the image, then ``run_autograder`` for each submission, which must leave
``/autograder/results/results.json``. The zip holds::

    setup.sh          checks Python >= 3.10; apt: python3, venv, bubblewrap (skipped where
                      apt-get is missing or we are not root); a venv in /opt/gradeformer
                      with gradeformer and the pinned versions of constraints.txt; the
                      answer key made root-only; then the self-test: the bundled solutions
                      must score full marks with the installed grader, or the build fails
    run_autograder    gradeformer grade /autograder/submission --format gradescope (hidden
                      checks, the term seed); always a results.json, always exit 0
    constraints.txt   the exact versions of numpy, PyYAML, click, Jinja2, rich (and what
                      they need) that the export ran with
    solutions/        the complete solutions, for the self-test only (root-only once built)
    gradeformer/      pyproject.toml, README.md, grader/, reference/, exercises/

Both scripts read their paths from environment variables, so they can be tried on a fake
tree: GRADEFORMER_AUTOGRADER_ROOT (default /autograder), GRADEFORMER_SOURCE (ROOT/source),
GRADEFORMER_VENV (/opt/gradeformer), GRADEFORMER_CACHE (SOURCE/cache), GRADEFORMER_PYTHON
(setup.sh: the python3 that makes the venv), GRADEFORMER_APT (setup.sh: "skip" to skip
apt-get), GRADEFORMER_SUBMISSION, GRADEFORMER_RESULTS, GRADEFORMER_EXERCISES and
GRADEFORMER_BIN (run_autograder: the gradeformer command).
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import shlex
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from grader import __version__

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SHIPPED = ("pyproject.toml", "README.md", "grader", "reference", "exercises")
SOLUTIONS = "solutions"  # shipped beside the package, for setup.sh's self-test
CONSTRAINTS = "constraints.txt"
VENV = "/opt/gradeformer"
PINNED = ("numpy", "PyYAML", "click", "Jinja2", "rich")  # gradeformer's dependencies
MIN_PYTHON = (3, 10)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image. It fails the
# build (nonzero exit, a message saying why) rather than leave an autograder that gives
# wrong grades. Every path can be moved with an environment variable, to try it on a fake
# tree (see docs/instructors.md).
set -euo pipefail
ROOT="${GRADEFORMER_AUTOGRADER_ROOT:-/autograder}"
SOURCE="${GRADEFORMER_SOURCE:-$ROOT/source}"
VENV="${GRADEFORMER_VENV:-@VENV@}"
PYTHON="${GRADEFORMER_PYTHON:-python3}"
APT="${GRADEFORMER_APT:-auto}"  # auto: when apt-get exists and we are root; skip: never
export GRADEFORMER_CACHE="${GRADEFORMER_CACHE:-$SOURCE/cache}"
SELFTEST_LOG="$SOURCE/selftest.log"

say() { printf 'setup.sh: %s\n' "$*"; }
fail() {
    printf '\nsetup.sh: BUILD FAILED: %s\n' "$*" >&2
    exit 1
}

# 1. system packages
if [ "$APT" = skip ]; then
    say "apt-get skipped (GRADEFORMER_APT=skip)"
elif ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get skipped: there is no apt-get here"
elif [ "$(id -u)" != 0 ]; then
    say "apt-get skipped: not root"
else
    say "apt-get: python3, python3-venv, bubblewrap"
    apt-get update -qq || fail "apt-get update failed (see above)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-pip python3-venv bubblewrap ||
        fail "apt-get could not install python3, python3-venv and bubblewrap (see above)"
fi

# 2. Python
command -v "$PYTHON" >/dev/null 2>&1 ||
    fail "no $PYTHON here: gradeformer needs Python @MIN_PYTHON@ or newer"
version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ||
    fail "$PYTHON does not run"
if [ "${version%%.*}" -lt @MIN_MAJOR@ ] ||
    { [ "${version%%.*}" -eq @MIN_MAJOR@ ] && [ "${version#*.}" -lt @MIN_MINOR@ ]; }; then
    fail "gradeformer needs Python @MIN_PYTHON@ or newer; $PYTHON is Python $version: \
choose a newer base image in Gradescope's autograder settings (Ubuntu 22.04 or later)"
fi
say "Python $version ($PYTHON)"
if [ "$version" != "@EXPORT_PYTHON@" ]; then
    say "warning: the pinned versions in constraints.txt were exported from Python \
@EXPORT_PYTHON@; if pip cannot find them for Python $version, export again with Python $version"
fi

# 3. gradeformer and its pinned dependencies, in a virtual environment
say "installing gradeformer into $VENV with the versions of $SOURCE/@CONSTRAINTS@"
"$PYTHON" -m venv "$VENV" ||
    fail "$PYTHON -m venv $VENV failed: install python3-venv"
"$VENV/bin/python" -m pip install --quiet --no-input --no-cache-dir \
    --disable-pip-version-check --constraint "$SOURCE/@CONSTRAINTS@" "$SOURCE/gradeformer" ||
    fail "pip could not install gradeformer with the pinned versions of @CONSTRAINTS@ \
(exported from Python @EXPORT_PYTHON@; this is Python $version): see pip's message above"

# 4. the answer key (reference, hidden checks, solutions, the case cache) root-only: at
# the rlimits level (Docker, so Gradescope) student code runs as an unprivileged uid and
# sees every file others may read. numpy and Python stay readable: the worker needs them.
mapfile -t packages < <("$VENV/bin/python" -I -c '
import importlib.util
for name in ("grader", "reference"):
    print(importlib.util.find_spec(name).submodule_search_locations[0])
')
[ "${#packages[@]}" = 2 ] || fail "the installed gradeformer cannot be found in $VENV"
mkdir -p "$GRADEFORMER_CACHE"
chmod -R go-rwx "$SOURCE" "$GRADEFORMER_CACHE" "${packages[@]}"
say "root-only: $SOURCE $GRADEFORMER_CACHE ${packages[*]}"
if [ "$(id -u)" = 0 ]; then  # check it as another user would
    "$VENV/bin/python" -I -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    readable = []
    for path in sys.argv[1:]:
        try:
            os.listdir(path)
            readable.append(path)
        except OSError:
            pass
    if readable:
        print("readable by others:", *readable, file=sys.stderr)
    os._exit(1 if readable else 0)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
' "$SOURCE" "$GRADEFORMER_CACHE" "${packages[@]}" ||
        fail "another user can still read the answer key (see above)"
else
    say "warning: not root, so student code would run as this user and could read the answer key"
fi

# 5. the self-test: the bundled solutions must score full marks, hidden checks included,
# with this term's seed, graded by the installed gradeformer at the best isolation here
say "self-test: grading the bundled solutions (hidden checks, term seed @SEED@)"
if "$VENV/bin/gradeformer" grade "$SOURCE/@SOLUTIONS@" --single --seed @SEED@ \
    --exercises "$SOURCE/gradeformer/exercises"@ONLY@ --no-timings --fail-under 100 \
    >"$SELFTEST_LOG" 2>&1; then
    grep -m 1 -o 'isolation: [a-z]*' "$SELFTEST_LOG" | sed 's/^/setup.sh: self-test: /' || true
    grep '^total:' "$SELFTEST_LOG" | sed 's/^/setup.sh: self-test: /' || true
    chmod -R go-rwx "$SOURCE" "$GRADEFORMER_CACHE"  # what the self-test wrote, too
    say "self-test passed: the autograder is ready"
else
    status=$?
    {
        echo "----- self-test ($SELFTEST_LOG): failing checks and the end of the output -----"
        grep -E '✗|not found|error|Error' "$SELFTEST_LOG" | head -n 40 || true
        tail -n 15 "$SELFTEST_LOG"
        echo "-----"
    } >&2
    fail "SELF-TEST FAILED (gradeformer grade exit status $status): the bundled solutions \
do not score full marks with the installed gradeformer, so this autograder would mark \
correct work wrong. The failing checks are listed above."
fi
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it, leave results/results.json. It
# always leaves a results.json (when grading fails: score 0 and, in one line, why) and
# always exits 0. gradeformer's stderr goes to a log beside results.json (or in /tmp), never
# to Gradescope's output: only its last line is shown, when grading fails.
set -u
ROOT="${GRADEFORMER_AUTOGRADER_ROOT:-/autograder}"
SOURCE="${GRADEFORMER_SOURCE:-$ROOT/source}"
VENV="${GRADEFORMER_VENV:-@VENV@}"
SUBMISSION="${GRADEFORMER_SUBMISSION:-$ROOT/submission}"
RESULTS="${GRADEFORMER_RESULTS:-$ROOT/results/results.json}"
EXERCISES="${GRADEFORMER_EXERCISES:-$SOURCE/gradeformer/exercises}"
GRADEFORMER="${GRADEFORMER_BIN:-$VENV/bin/gradeformer}"
export GRADEFORMER_CACHE="${GRADEFORMER_CACHE:-$SOURCE/cache}"
RESULTS_DIR="$(dirname "$RESULTS")"
mkdir -p "$RESULTS_DIR" 2>/dev/null
LOG="$RESULTS_DIR/gradeformer-stderr.log"
if ! : 2>/dev/null >"$LOG"; then
    LOG="$(mktemp 2>/dev/null || echo /dev/null)"
fi
rm -f "$RESULTS"

"$GRADEFORMER" grade "$SUBMISSION" --single --format gradescope --seed @SEED@ \
    --exercises "$EXERCISES"@ONLY@ --out "$RESULTS" 2>>"$LOG"
status=$?

valid() {  # results.json exists and, when the venv's Python is there to say, is JSON
    [ -s "$RESULTS" ] || return 1
    [ -x "$VENV/bin/python" ] || return 0
    "$VENV/bin/python" -I -c 'import json, sys; json.load(open(sys.argv[1]))' "$RESULTS" \
        >/dev/null 2>&1
}

if valid; then
    echo "run_autograder: graded (gradeformer exit status $status; its messages in $LOG)"
    exit 0
fi
# The last line gradeformer wrote on stderr says what went wrong (a traceback's last line
# names the exception); printable ASCII without quotes or backslashes: valid JSON below.
reason="$(grep -v '^[[:space:]]*$' "$LOG" 2>/dev/null | tail -n 1 | LC_ALL=C tr -cd ' -~' |
    tr -d '"\\' | cut -c 1-300)"
[ -n "$reason" ] || reason="no message"
message="gradeformer could not grade this submission (exit status $status): $reason. \
This is not a grade: tell your instructor."
if ! printf '{"score": 0, "output": "%s", "stdout_visibility": "hidden", "tests": []}\n' \
    "$message" >"$RESULTS" 2>/dev/null; then
    echo "run_autograder: cannot write $RESULTS"
fi
echo "run_autograder: $message (log in $LOG)"
exit 0
"""


def pinned_versions() -> dict[str, str]:
    """{distribution: version} of gradeformer's dependencies as installed in this process,
    and of what they need in turn (a constraints file pins only what gets installed)."""
    found: dict[str, str] = {}
    todo = list(PINNED)
    while todo:
        name = todo.pop()
        if _key(name) in {_key(n) for n in found}:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            if name in PINNED:
                raise
            continue
        found[dist.metadata["Name"] or name] = dist.version
        for requirement in dist.requires or []:
            if "extra ==" not in requirement.replace("extra==", "extra =="):
                todo.append(re.split(r"[\s;<>=!~\[(]", requirement.strip(), maxsplit=1)[0])
    return dict(sorted(found.items(), key=lambda item: _key(item[0])))


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints_text(versions: dict[str, str] | None = None) -> str:
    """constraints.txt: one `name==version` a line, and where the versions come from."""
    versions = pinned_versions() if versions is None else versions
    python = platform.python_version()
    head = (
        f"# gradeformer {__version__}: the versions it was exported with "
        f"(Python {python}, {platform.system()} {platform.machine()}).\n"
        "# setup.sh installs with `pip install --constraint constraints.txt`.\n"
    )
    return head + "".join(f"{name}=={version}\n" for name, version in versions.items())


def _fill(template: str, seed: int, only: Sequence[str]) -> str:
    flags = "".join(f" --exercise {shlex.quote(name)}" for name in only)
    values = {
        "VENV": VENV,
        "SEED": str(int(seed)),
        "ONLY": flags,
        "SOLUTIONS": SOLUTIONS,
        "CONSTRAINTS": CONSTRAINTS,
        "MIN_PYTHON": "{}.{}".format(*MIN_PYTHON),
        "MIN_MAJOR": str(MIN_PYTHON[0]),
        "MIN_MINOR": str(MIN_PYTHON[1]),
        "EXPORT_PYTHON": "{}.{}".format(*sys.version_info[:2]),
    }
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


def setup_script(seed: int = 0, only: Sequence[str] = ()) -> str:
    """The setup.sh script: install, hide the answer key, self-test with term seed `seed`
    on exercises `only` (all when empty)."""
    return _fill(SETUP_SH, seed, only)


def run_autograder_script(seed: int = 0, only: Sequence[str] = ()) -> str:
    """The run_autograder script: hidden checks with term seed `seed`, exercises `only`
    (all when empty)."""
    return _fill(RUN_AUTOGRADER, seed, only)


def build_autograder(out: Path, source: Path, seed: int = 0, only: Sequence[str] = ()) -> Path:
    """Write the autograder zip to `out` from the gradeformer checkout at `source`."""
    missing = [name for name in (*SHIPPED, SOLUTIONS) if not (source / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{source} is not a gradeformer source checkout (no {', '.join(missing)}): "
            "the autograder ships the package with its reference and exercises, and the "
            "solutions for its build-time self-test"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, "setup.sh", setup_script(seed, only).encode(), executable=True)
        _add(zf, "run_autograder", run_autograder_script(seed, only).encode(), executable=True)
        _add(zf, CONSTRAINTS, constraints_text().encode())
        for path in _source_files(source, SHIPPED):
            _add(zf, "gradeformer/" + path.relative_to(source).as_posix(), path.read_bytes())
        for path in _source_files(source, (SOLUTIONS,)):
            _add(zf, path.relative_to(source).as_posix(), path.read_bytes())
    return out


def _source_files(source: Path, names: Sequence[str]) -> Iterator[Path]:
    for name in names:
        top = source / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            parts = path.relative_to(source).parts
            if path.is_file() and not _skipped(parts):
                yield path


def _skipped(parts: tuple[str, ...]) -> bool:
    """Caches, and exercises already inside grader/data (a release kit's)."""
    return (
        "__pycache__" in parts
        or parts[-1].endswith((".pyc", ".tmp"))
        or parts[:3] == ("grader", "data", "exercises")
    )


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if executable else 0o644) << 16
    zf.writestr(info, data)
