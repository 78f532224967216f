"""The late policy (`--deadline`, `--late-penalty`): how much a late submission loses.

A penalty rule is `RATE%/UNIT`, optionally capped: `10%/day`, `2%/hour`, `10%/day,max=50%`
(UNIT is hour, day or week; the cap defaults to 100%). A submission `t` after the deadline
`d` is `n = ⌈(t − d) / UNIT⌉` units late (a started day counts as a day) and loses

    penalty = min(cap, RATE · n) × (graded score + adjustments)

so with 10%/day a 72-point submission handed in 26 hours late (2 days) loses 14.4 points.

When was it submitted? In this order: the result's `submitted_at` (an ISO time an LMS
download recorded), else the newest modification time of the submission's files (a zip's
own time) under `--submissions`; a result whose LMS flagged it `late` with no time counts
one UNIT late. File times survive `unzip` and `cp -p`, not a plain `cp`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

UNITS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
_RULE = re.compile(
    r"^\s*(?P<rate>\d+(?:\.\d+)?)\s*%\s*/\s*(?P<unit>hour|day|week)s?"
    r"\s*(?:,\s*max\s*=\s*(?P<cap>\d+(?:\.\d+)?)\s*%)?\s*$",
    re.IGNORECASE,
)


class LateError(ValueError):
    """A deadline or penalty rule that cannot be read."""


@dataclass(frozen=True)
class LatePolicy:
    """A deadline and what each started unit after it costs (fractions: 0.1 = 10%)."""

    deadline: datetime
    rate: float
    unit: str
    cap: float = 1.0

    def describe(self) -> str:
        """The rule as written: "10%/day, max 50%"."""
        cap = f", max {self.cap * 100:g}%" if self.cap < 1.0 else ""
        return f"{self.rate * 100:g}%/{self.unit}{cap}"


@dataclass(frozen=True)
class Lateness:
    """How late one submission was, and where its time came from."""

    submitted_at: datetime | None
    source: str  # "result", "file times", "LMS late flag", "" (no time found)
    units: int  # whole units late, 0 when on time
    unit: str  # hour, day or week
    fraction: float  # of the score lost, cap applied

    def late_by(self) -> str:
        """ "2 days", "1 hour"; empty when on time."""
        if not self.units:
            return ""
        return f"{self.units} {self.unit}{'s' if self.units > 1 else ''}"


def parse_deadline(text: str) -> datetime:
    """An ISO 8601 time ("2026-03-01T23:59", "...+01:00", "...Z"); without a zone, local time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise LateError(
            f"--deadline {text!r}: not an ISO 8601 time; write e.g. 2026-03-01T23:59 "
            "or 2026-03-01T23:59+01:00"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def parse_policy(deadline: str, rule: str) -> LatePolicy:
    """The policy for `--deadline DEADLINE --late-penalty RULE` (see the module docstring)."""
    found = _RULE.match(rule)
    if found is None:
        raise LateError(
            f"--late-penalty {rule!r}: expected RATE%/UNIT with UNIT hour, day or week, "
            "optionally capped: 10%/day or 10%/day,max=50%"
        )
    cap = float(found["cap"]) / 100 if found["cap"] else 1.0
    unit = found["unit"].lower()
    return LatePolicy(parse_deadline(deadline), float(found["rate"]) / 100, unit, min(cap, 1.0))


def lateness(
    policy: LatePolicy,
    *,
    recorded: str | None = None,
    late_flag: bool | None = None,
    files: Sequence[Path] = (),
) -> Lateness:
    """How late a submission was under `policy`, from the first source that says."""
    moment, source = None, ""
    if recorded:
        try:
            moment, source = parse_deadline(recorded), "result"
        except LateError:
            moment = None
    if moment is None and files:
        moment, source = newest_file_time(files), "file times"
    if moment is None:
        units = 1 if late_flag else 0
        source = "LMS late flag" if late_flag else ""
    else:
        units = max(0, math.ceil((moment - policy.deadline) / UNITS[policy.unit]))
    return Lateness(moment, source, units, policy.unit, min(policy.cap, policy.rate * units))


def newest_file_time(paths: Sequence[Path]) -> datetime | None:
    """The newest modification time of the files in `paths` (folders searched, hidden files
    and `__pycache__` aside), in UTC; None when there is no file."""
    stamps = []
    for path in paths:
        if path.is_file():
            stamps.append(path.stat().st_mtime)
        elif path.is_dir():
            stamps += [
                f.stat().st_mtime
                for f in path.rglob("*")
                if f.is_file() and not any(_skipped(p) for p in f.relative_to(path).parts)
            ]
    if not stamps:
        return None
    return datetime.fromtimestamp(max(stamps), tz=timezone.utc)


def _skipped(part: str) -> bool:
    return part.startswith(".") or part == "__pycache__"
