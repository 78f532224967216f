"""`gradeformer export gradescope`: an autograder zip for Gradescope.

Gradescope unzips the file into ``/autograder/source``, runs ``setup.sh`` once while it
builds the image, then ``run_autograder`` for each submission, which must leave
``/autograder/results/results.json``. The zip holds::

    setup.sh          apt: python3, venv, bubblewrap; pip-installs gradeformer into /opt/gradeformer
    run_autograder    gradeformer grade /autograder/submission --format gradescope (hidden checks)
    gradeformer/      pyproject.toml, README.md, grader/, reference/, exercises/ (no solutions/)

run_autograder reads its paths from environment variables, so it can be tried on a fake
tree: GRADEFORMER_AUTOGRADER_ROOT (default /autograder), GRADEFORMER_SUBMISSION,
GRADEFORMER_RESULTS, GRADEFORMER_EXERCISES and GRADEFORMER_BIN (the gradeformer command).
When grading itself fails it still writes a results.json (score 0, what happened), as
Gradescope shows nothing useful otherwise.
"""

from __future__ import annotations

import shlex
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SHIPPED = ("pyproject.toml", "README.md", "grader", "reference", "exercises")
VENV = "/opt/gradeformer"

SETUP_SH = f"""\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
    python3 python3-pip python3-venv bubblewrap
python3 -m venv {VENV}
{VENV}/bin/pip install --quiet /autograder/source/gradeformer
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it, leave results/results.json.
set -uo pipefail
ROOT="${{GRADEFORMER_AUTOGRADER_ROOT:-/autograder}}"
SUBMISSION="${{GRADEFORMER_SUBMISSION:-$ROOT/submission}}"
RESULTS="${{GRADEFORMER_RESULTS:-$ROOT/results/results.json}}"
EXERCISES="${{GRADEFORMER_EXERCISES:-$ROOT/source/gradeformer/exercises}}"
GRADEFORMER="${{GRADEFORMER_BIN:-{venv}/bin/gradeformer}}"
mkdir -p "$(dirname "$RESULTS")"
rm -f "$RESULTS"
"$GRADEFORMER" grade "$SUBMISSION" --single --format gradescope --seed {seed} \\
    --exercises "$EXERCISES"{only} --out "$RESULTS"
status=$?
if [ ! -s "$RESULTS" ]; then
    printf '{{"score": 0, "output": "%s", "tests": []}}\\n' \\
        "gradeformer could not grade this submission (exit status $status): tell your instructor" \\
        > "$RESULTS"
fi
exit 0
"""


def run_autograder_script(seed: int = 0, only: Sequence[str] = ()) -> str:
    """The run_autograder script: hidden checks with term seed `seed`, exercises `only`
    (all when empty)."""
    flags = "".join(f" --exercise {shlex.quote(name)}" for name in only)
    return RUN_AUTOGRADER.format(venv=VENV, seed=int(seed), only=flags)


def build_autograder(out: Path, source: Path, seed: int = 0, only: Sequence[str] = ()) -> Path:
    """Write the autograder zip to `out` from the gradeformer checkout at `source`."""
    missing = [name for name in SHIPPED if not (source / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{source} is not a gradeformer source checkout (no {', '.join(missing)}): "
            "the autograder ships the package with its reference and exercises"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(zf, "run_autograder", run_autograder_script(seed, only).encode(), executable=True)
        for path in _source_files(source):
            name = "gradeformer/" + path.relative_to(source).as_posix()
            _add(zf, name, path.read_bytes())
    return out


def _source_files(source: Path) -> Iterator[Path]:
    for name in SHIPPED:
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
