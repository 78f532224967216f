"""Public cases stored as files, for a student kit that ships without `reference`.

`write_public_fixtures` runs in the instructor's checkout (reference installed) and writes
``<dest_dir>/public_cases.npz``: one entry per public or hand-worked check, each a uint8 array
holding ``grader.codec.encode({"name", "calls": [{"fn", "kwargs"}], "expected",
"misconceptions": {name: outputs or None}})``. The misconceptions' outputs on these public
inputs (values, never their code) let a kit name the likely bug. Reading uses
``np.load(allow_pickle=False)`` and `grader.codec.decode`: no pickle anywhere.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from grader.cases import Case, build_calls, expected_values
from grader.misconceptions import stored_misconception_outputs
from grader.spec import Call, CheckSpec, ExerciseSpec

FIXTURE_FILE = "public_cases.npz"


class FixtureError(Exception):
    """No fixture for a check that needs one (the kit is incomplete or out of date)."""


def public_checks(exercise: ExerciseSpec) -> list[CheckSpec]:
    """The checks a student runs: public and hand-worked."""
    return [c for c in exercise.checks if c.visibility != "hidden"]


def write_public_fixtures(exercise: ExerciseSpec, dest_dir: Path, seed: int = 0) -> Path:
    """Write the public cases of `exercise` (term seed `seed`) to `dest_dir/public_cases.npz`."""
    from grader.codec import encode

    entries: dict[str, np.ndarray] = {}
    for i, check in enumerate(public_checks(exercise)):
        calls = build_calls(exercise, check, seed)
        expected = expected_values(exercise, check, calls)
        payload = {
            "name": check.name,
            "calls": [{"fn": c.fn, "kwargs": c.kwargs} for c in calls],
            "expected": expected,
            "misconceptions": stored_misconception_outputs(
                exercise, check, Case(calls, expected), seed
            ),
        }
        entries[f"case_{i:03d}"] = np.frombuffer(encode(payload), dtype=np.uint8)
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / FIXTURE_FILE
    np.savez_compressed(path, **entries)  # type: ignore[arg-type]
    return path


@cache
def _read(path: Path) -> dict[str, dict[str, Any]]:
    from grader.codec import decode

    cases: dict[str, dict[str, Any]] = {}
    with np.load(path, allow_pickle=False) as data:
        for key in sorted(data.files):
            payload = decode(data[key].tobytes())
            cases[payload["name"]] = payload
    return cases


def load_public_case(exercise: ExerciseSpec, check: CheckSpec) -> Case:
    """The stored case of `check`; `FixtureError` when there is none."""
    path = exercise.folder / FIXTURE_FILE
    if not path.is_file():
        raise FixtureError(
            f"{exercise.name}: no {FIXTURE_FILE} and no reference installed to compute "
            f"expected values for {check.name!r}"
        )
    payload = _read(path.resolve()).get(check.name)
    if payload is None:
        raise FixtureError(f"{exercise.name}: {FIXTURE_FILE} has no case for {check.name!r}")
    calls = [Call(c["fn"], dict(c["kwargs"])) for c in payload["calls"]]
    return Case(calls, payload["expected"], payload.get("misconceptions"))
