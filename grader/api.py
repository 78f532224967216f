"""The Python API for notebooks: ``from grader import check; check("softmax")``.

`check` runs the same checks as ``gradeformer check`` and returns a `CheckReport`: the
results object, shown as an HTML table in Jupyter and as text elsewhere. The student's
functions come from a path (a folder, .zip or .ipynb) or, by default, from the caller's
namespace: their source (found with `inspect.getsource`), the helpers and constants they
use and the modules they import are written to a temporary module that runs in the
sandboxed worker like any other submission, never in the caller's process.
"""

from __future__ import annotations

import dataclasses
import html
import inspect
import io
import os
import tempfile
import types
from pathlib import Path
from typing import Any

from grader.grading import Mode, grade_submission
from grader.points import shown_points
from grader.results import SubmissionResult
from grader.spec import find_exercises_root, load_exercises, select
from grader.writers.feedback import points, score


class CheckReport(SubmissionResult):
    """A `SubmissionResult` that renders itself: `str()` as text, `_repr_html_` as a table."""

    @classmethod
    def of(cls, result: SubmissionResult) -> CheckReport:
        return cls(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})

    @property
    def all_passed(self) -> bool:
        """True when every exercise was graded and every check passed."""
        return self.error is None and all(
            ex.status == "graded" and ex.passed == len(ex.checks) for ex in self.exercises
        )

    def __str__(self) -> str:
        from grader.writers import write

        stream = io.StringIO()
        write(self, "terminal", stream)
        return stream.getvalue()

    def _repr_html_(self) -> str:
        rows = []
        for ex in self.exercises:
            head = f"{ex.exercise}: {ex.title}"
            rows.append(
                f"<tr><th colspan='3' style='text-align:left'>{html.escape(head)}</th>"
                f"<th>{score(ex.score)}/{points(ex.max_score)}</th></tr>"
            )
            if ex.message:
                rows.append(f"<tr><td colspan='4'>{html.escape(ex.message)}</td></tr>")
            earned = shown_points([c.points for c in ex.checks])
            maxima = shown_points([c.max_points for c in ex.checks])
            for c, got, out_of in zip(ex.checks, earned, maxima, strict=True):
                mark = "✓" if c.passed else "✗"
                color = "#1a7f37" if c.passed else "#cf222e"
                notes = [c.message, *c.details, *(c.trace if not c.passed else [])]
                if c.misconception:
                    notes.append(f"likely bug: {c.misconception}: {c.hint}")
                text = "<br>".join(html.escape(n) for n in notes if n)
                rows.append(
                    f"<tr><td style='color:{color}'>{mark}</td><td>{html.escape(c.name)}</td>"
                    f"<td style='text-align:left'>{text}</td>"
                    f"<td>{points(got)}/{points(out_of)}</td></tr>"
                )
        total = f"total: {score(self.score)}/{points(self.max_score)} ({self.percent:.1f}%)"
        error = f"<p>{html.escape(self.error)}</p>" if self.error else ""
        return (
            f"{error}<table>{''.join(rows)}</table>"
            f"<p>{html.escape(total)} · isolation: {html.escape(self.isolation)}</p>"
        )


def check(
    *exercises: str,
    path: str | Path | None = None,
    namespace: dict[str, Any] | None = None,
    mode: Mode = "public",
    seed: int = 0,
    exercises_dir: str | Path | None = None,
) -> CheckReport:
    """Check exercises (by module, folder name or number) and return the results.

    Functions come from `path` when given, else from `namespace` (default: the caller's
    globals). With no exercise named, every exercise whose functions are found is checked.
    """
    root = Path(exercises_dir) if exercises_dir is not None else None
    all_exercises = load_exercises(find_exercises_root(root))
    names = list(exercises)
    if path is not None:
        result = grade_submission(Path(path), all_exercises, mode, seed, only=names or None)
        return CheckReport.of(result)
    if namespace is None:
        frame = inspect.currentframe()
        assert frame is not None and frame.f_back is not None
        namespace = frame.f_back.f_globals
    chosen = select(all_exercises, names) if names else all_exercises
    if not names:
        chosen = [ex for ex in chosen if module_source(namespace, ex.functions)]
        if not chosen:
            raise LookupError(
                "no exercise's functions are defined here; name one: check('softmax')"
            )
    with tempfile.TemporaryDirectory(prefix=f"gradeformer-nb-{os.getpid()}-") as tmp:
        for ex in chosen:
            source = module_source(namespace, ex.functions)
            if source:
                (Path(tmp) / f"{ex.module}.py").write_text(source, encoding="utf-8")
        only = [ex.name for ex in chosen]
        result = grade_submission(Path(tmp), all_exercises, mode, seed, only=only)
    result.submission = "<notebook>"
    return CheckReport.of(result)


def module_source(namespace: dict[str, Any], functions: list[str]) -> str:
    """Source of a module defining `functions` as found in `namespace`, "" if none is there.

    Includes the imports (modules and imported functions) the namespace holds, the plain
    constants and helper functions the functions refer to, recursively.
    """
    here = namespace.get("__name__")
    wanted = [f for f in functions if _defined_here(namespace.get(f), here)]
    if not wanted:
        return ""
    imports, constants, bodies = [], [], []
    seen: set[str] = set()
    todo = list(wanted)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        value = namespace.get(name)
        if isinstance(value, types.ModuleType):
            alias = "" if value.__name__ == name else f" as {name}"
            imports.append(f"import {value.__name__}{alias}")
        elif _defined_here(value, here):
            assert value is not None
            try:
                bodies.append(inspect.getsource(value))
            except (OSError, TypeError):
                raise ValueError(f"cannot find the source of {name}: define it in a cell") from None
            if isinstance(value, types.FunctionType):
                todo.extend(_names_used(value))
        elif callable(value) and getattr(value, "__module__", None):
            imports.append(f"from {value.__module__} import {value.__name__} as {name}")
        elif isinstance(value, (int, float, str, bool, tuple)) and not name.startswith("__"):
            constants.append(f"{name} = {value!r}")
    return "\n".join(sorted(set(imports)) + constants) + "\n\n\n" + "\n\n".join(bodies)


def _defined_here(value: Any, module_name: Any) -> bool:
    """A function or class defined in the namespace itself (not imported)."""
    return isinstance(value, (types.FunctionType, type)) and value.__module__ == module_name


def _names_used(fn: types.FunctionType) -> list[str]:
    """Global names a function's code (and nested code) refers to."""
    names: list[str] = []
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        names.extend(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names
