"""Manual adjustments: an instructor's points added to or taken from a grade, with a reason.

They live in `adjustments.csv` beside the results (`RESULTS/adjustments.csv`), which
`gradeformer grade` never writes or removes, so they survive any regrade (`--force`
included). `gradeformer adjust` appends to it; it can also be edited by hand (UTF-8, a
header row, one adjustment a row):

- `student`: the student id as in the results (`alice` for `results/alice.json`); for a
  roster student with no submission, their login, email or id in the roster;
- `exercise`: an exercise folder (`03_softmax`) or module (`softmax`); empty: the whole grade;
- `points`: the points added (`2`, `+2.5`) or taken (`-3`);
- `reason`: why; shown in the gradebook, the report and the student's page;
- `added`: when (ISO 8601, UTC); informational, may be empty.

An exercise adjustment changes that exercise's column in the gradebook; every adjustment
changes the total. Adjustments are applied as given: a total may exceed the maximum (a bonus)
and is never taken below 0.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE = "adjustments.csv"
COLUMNS = ("student", "exercise", "points", "reason", "added")


class AdjustmentError(ValueError):
    """An adjustment that names nobody, or an adjustments file that cannot be read."""


@dataclass(frozen=True)
class Adjustment:
    """Points an instructor added (or took, when negative) to a student's grade, and why."""

    student: str
    exercise: str  # "" for the whole grade
    points: float
    reason: str
    added: str = ""

    def describe(self) -> str:
        """ "+2 on 03_softmax: regrade request" or "-1: copied the docstring"."""
        where = f" on {self.exercise}" if self.exercise else ""
        return f"{self.points:+g}{where}: {self.reason}"


def read_adjustments(results_dir: Path) -> list[Adjustment]:
    """The adjustments recorded for `results_dir` (none when there is no adjustments.csv)."""
    path = results_dir / FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AdjustmentError(f"cannot read {path}: {exc}; save it as UTF-8 CSV") from None
    rows = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in rows.fieldnames or []]
    lacking = [c for c in ("student", "points", "reason") if c not in header]
    if lacking:
        raise AdjustmentError(
            f"{path}: the header lacks {', '.join(lacking)}; it should be {','.join(COLUMNS)}"
        )
    found = []
    for line, row in enumerate(rows, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        try:
            points = float(cells["points"])
        except ValueError:
            raise AdjustmentError(
                f"{path}, line {line}: points {cells['points']!r} is not a number (e.g. 2 or -1.5)"
            ) from None
        if not cells["student"]:
            raise AdjustmentError(f"{path}, line {line}: no student")
        found.append(
            Adjustment(
                cells["student"],
                cells.get("exercise", ""),
                points,
                cells["reason"],
                cells.get("added", ""),
            )
        )
    return found


def add_adjustment(results_dir: Path, adjustment: Adjustment) -> Path:
    """Append `adjustment` to `results_dir/adjustments.csv` (created with its header) atomically."""
    path = results_dir / FILE
    kept = read_adjustments(results_dir)
    if not adjustment.added:
        stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        adjustment = Adjustment(**{**adjustment.__dict__, "added": stamp})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for a in [*kept, adjustment]:
        writer.writerow([a.student, a.exercise, repr(a.points), a.reason, a.added])
    handle, tmp = tempfile.mkstemp(dir=results_dir, prefix=f".{FILE}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as f:
            f.write(out.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def resolve(
    exercises_by_student: dict[str, list[tuple[str, str]]], student: str, exercise: str
) -> str:
    """The exercise folder an adjustment of `student` on `exercise` ("" for the whole grade) means.

    `exercises_by_student` maps every student id to their (folder, module) pairs. An unknown
    student or exercise raises `AdjustmentError` naming the closest ones ("did you mean").
    """
    if student not in exercises_by_student:
        raise AdjustmentError(
            f"no student {student!r} in the results{_did_you_mean(student, exercises_by_student)}"
        )
    if not exercise:
        return ""
    pairs = exercises_by_student[student]
    for folder, module in pairs:
        if exercise in (folder, module):
            return folder
    names = [name for pair in pairs for name in pair]
    raise AdjustmentError(f"{student} has no exercise {exercise!r}{_did_you_mean(exercise, names)}")


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    """ "; did you mean 'BEN'?" for the closest of `known` (case aside), or nothing."""
    by_folded = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=3, cutoff=0.5)
    names = " or ".join(repr(by_folded[c]) for c in close)
    return f"; did you mean {names}?" if close else ""
