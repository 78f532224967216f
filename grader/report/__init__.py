"""The instructor's report over a results directory (`gradeformer report`).

```python
from grader.report import build_report
summary = build_report(Path("results"), Path("report"), submissions_dir=Path("submissions"))
```

Writes `gradebook.csv`, `checks.csv`, `index.html` and `students/<id>.html` + `.md`, and
with `lms=` the LMS import files. Modules: `load` (read results, skip corrupt files), `stats`
(class figures), `roster`, `adjustments` and `late` (who is enrolled, instructors' changes,
the late policy), `grades` (all of them joined into final grades), `gradebook` and `lms`
(CSV), `plots` (matplotlib SVG, optional), `html` (jinja2 pages), `similarity` (code flags).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.report import gradebook, html
from grader.report.adjustments import read_adjustments
from grader.report.grades import Grades, build_grades
from grader.report.late import LatePolicy
from grader.report.lms import DEFAULT_ASSIGNMENT, write_lms
from grader.report.load import LoadProblem, Student, load_results
from grader.report.roster import RosterEntry
from grader.report.similarity import (
    DEFAULT_THRESHOLD,
    SimilarPair,
    find_submission,
    read_module,
    similar_pairs,
)


@dataclass(frozen=True)
class ReportSummary:
    """What `build_report` wrote and what it skipped."""

    out_dir: Path
    students: int
    problems: list[LoadProblem]
    similar: list[SimilarPair] | None  # None: code not compared (no submissions dir)
    grades: Grades | None = None
    lms_files: tuple[Path, ...] = ()


def build_report(
    results_dir: Path,
    out_dir: Path,
    *,
    submissions_dir: Path | None = None,
    exercises_dir: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    roster: list[RosterEntry] | None = None,
    policy: LatePolicy | None = None,
    lms: Sequence[str] = (),
    assignment: str = DEFAULT_ASSIGNMENT,
) -> ReportSummary:
    """Write the gradebook, class report and student pages for `results_dir` into `out_dir`.

    With `submissions_dir`, code is compared for similarity (and its file times date the
    submissions for the late `policy`); `exercises_dir` (the folder of `NN_name/` exercises)
    supplies the starter stubs whose code is left out of the comparison. `roster` joins the
    results to the enrolled students; the adjustments in `results_dir/adjustments.csv` are
    applied; `lms` names the LMS gradebooks to write ("canvas", "moodle", "csv").
    """
    students, problems = load_results(results_dir)
    grades = build_grades(
        students,
        roster=roster,
        adjustments=read_adjustments(results_dir),
        policy=policy,
        submissions_dir=submissions_dir,
    )
    rows = {row.student: row for row in grades.rows}
    pages = html.page_names(students)
    (out_dir / "students").mkdir(parents=True, exist_ok=True)
    gradebook.write_gradebook(grades, out_dir / "gradebook.csv", late=policy is not None)
    gradebook.write_checks(students, out_dir / "checks.csv")
    lms_files = tuple(write_lms(name, grades, out_dir, assignment) for name in lms)
    for student in students:
        stem = out_dir / "students" / pages[student.id]
        row = rows.get(student.id)
        stem.with_suffix(".html").write_text(
            html.render_student(student, grade=row), encoding="utf-8"
        )
        stem.with_suffix(".md").write_text(
            html.render_student(student, markdown=True, grade=row), encoding="utf-8"
        )
    similar = None
    if submissions_dir is not None:
        similar = _similarity(students, submissions_dir, exercises_dir, threshold)
    index = html.render_index(
        students,
        problems,
        results_dir=results_dir,
        pages=pages,
        similarity=similar,
        threshold=threshold,
        grades=grades,
    )
    (out_dir / "index.html").write_text(index, encoding="utf-8")
    return ReportSummary(out_dir, len(students), problems, similar, grades, lms_files)


def _similarity(
    students: list[Student],
    submissions_dir: Path,
    exercises_dir: Path | None,
    threshold: float,
) -> list[SimilarPair]:
    modules = sorted({(ex.exercise, ex.module) for s in students for ex in s.result.exercises})
    paths = {s.id: find_submission(submissions_dir, s.id) for s in students}
    pairs: list[SimilarPair] = []
    for exercise, module in modules:
        sources = {
            sid: src
            for sid, path in paths.items()
            if path is not None and (src := read_module(path, module)) is not None
        }
        starter = ""
        if exercises_dir is not None:
            starter = read_module(exercises_dir / exercise, module) or ""
        pairs += similar_pairs(
            sources, exercise=exercise, module=module, starter=starter, threshold=threshold
        )
    return pairs


__all__ = ["ReportSummary", "build_report"]
