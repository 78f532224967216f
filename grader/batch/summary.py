"""`BatchSummary`: what a class-grading run did, summed up from its result dicts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from grader.executors import ResultDict


@dataclass
class BatchSummary:
    """What a class-grading run did.

    `graded` and `skipped` count this run's students (skipped: already graded). The other
    figures cover every student of the class, including those skipped: `failed` lists the
    ids whose result has a submission-level `error`, `timed_out` and `killed` count students
    with at least one check that timed out or was killed (memory, signal).
    """

    graded: int
    skipped: int
    failed: list[str]
    mean_percent: float
    timed_out: int
    killed: int
    duration_s: float
    ignored: list[str] = field(default_factory=list)  # "name: reason", not graded

    def describe(self) -> str:
        """One line for the terminal, e.g. "30 students graded (2 already done, skipped) ·
        mean 71.2% · 1 timed out · 1 failed (eve)"; failed and ignored entries are named
        when there are at most three."""
        parts = [f"{self.graded} student{'s' if self.graded != 1 else ''} graded"]
        if self.skipped:
            parts[0] += f" ({self.skipped} already done, skipped)"
        parts.append(f"mean {self.mean_percent:.1f}%")
        for count, what, names in (
            (self.timed_out, "timed out", []),
            (self.killed, "killed", []),
            (len(self.failed), "failed", self.failed),
            (len(self.ignored), "ignored", self.ignored),
        ):
            if count:
                named = f" ({'; '.join(names)})" if 0 < len(names) <= 3 else ""
                parts.append(f"{count} {what}{named}")
        return " · ".join(parts)


def summarise(
    results: dict[str, ResultDict], skipped: int, ignored: list[str], duration_s: float
) -> BatchSummary:
    percents = [float(r.get("percent", 0.0)) for r in results.values()]
    messages = {student: list(_messages(r)) for student, r in results.items()}
    return BatchSummary(
        graded=len(results) - skipped,
        skipped=skipped,
        failed=sorted(s for s, r in results.items() if r.get("error")),
        mean_percent=sum(percents) / len(percents) if percents else 0.0,
        timed_out=sum(any("timed out after" in m for m in ms) for ms in messages.values()),
        killed=sum(any("killed" in m for m in ms) for ms in messages.values()),
        duration_s=duration_s,
        ignored=ignored,
    )


def _messages(result: ResultDict) -> Iterator[str]:
    """The submission's error and every exercise and check message of a result dict (hidden
    checks do not say why they failed, so a timeout there is not counted)."""
    yield result.get("error") or ""
    for exercise in result.get("exercises", []):
        yield exercise.get("message", "")
        for check in exercise.get("checks", []):
            yield check.get("message", "")
