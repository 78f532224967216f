"""Grade a submission: run each exercise's checks in one worker and turn them into results.

`grade_submission` is the entry point (docs/internals.md). Per exercise:

1. the module is missing -> status ``not_submitted``; it does not import -> ``error``;
2. a forbidden-call scan on the module's AST (a check of its own, with line numbers);
3. every check: build the case (parent), call the student's functions (worker), compare
   (parent), and on a failure name the matching misconception;
4. the by-hand questions against the student's answers.yaml;
5. when every call raised NotImplementedError the exercise is ``not_implemented`` with one
   line of feedback and no per-check noise.

The score of an exercise is ``points * earned / total`` over the check points that ran; a
check is all or nothing.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import functools
import platform
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from grader import __version__
from grader.cases import Case, build_case, call_python, instructor_function
from grader.compare import CANNOT_CHECK, Verdict, compare_values, shape_mismatch, summarise_failure
from grader.fixtures import FixtureError
from grader.misconceptions import match_misconception
from grader.results import (
    HIDDEN_MESSAGE_PREFIXES,
    CheckResult,
    ExerciseResult,
    SubmissionResult,
)
from grader.scheduler import Scheduler
from grader.spec import Call, CheckSpec, ExerciseSpec, QuestionSpec, select
from grader.submission import (
    Located,
    SubmissionError,
    add_notebook_modules,
    locate,
    materialise,
)
from grader.yamlfile import YamlError, load_yaml

Mode = Literal["public", "hidden"]
NOT_IMPLEMENTED = "not_implemented"


class Outcome(Protocol):
    """What a runner returns for one call (`grader.sandbox.CallOutcome` satisfies it)."""

    ok: bool
    value: Any
    error_kind: str | None
    error_type: str | None
    message: str
    traceback: str
    output: str


class Runner(Protocol):
    """Something that calls a module's function: the sandboxed `Worker`, or in-process."""

    def call(self, module: str, function: str, kwargs: dict[str, Any], timeout: float) -> Outcome:
        """Call `module.function(**kwargs)` within `timeout` seconds."""
        ...


class InProcessOutcome:
    """An `Outcome` for trusted code run in this process (validate's misconceptions)."""

    def __init__(
        self,
        value: Any = None,
        exc: BaseException | None = None,
        kind: str | None = None,
        message: str | None = None,
    ) -> None:
        self.ok = exc is None
        self.value = value
        self.error_type = type(exc).__name__ if exc else None
        default_kind = NOT_IMPLEMENTED if isinstance(exc, NotImplementedError) else "exception"
        self.error_kind = None if exc is None else kind or default_kind
        self.message = message or (f"{self.error_type}: {exc}" if exc else "")
        self.traceback = ""
        self.output = ""


class InProcessRunner:
    """Calls trusted functions directly (never student code: that goes to the Worker)."""

    def __init__(self, functions: dict[str, Any]) -> None:
        self.functions = functions

    def call(self, module: str, function: str, kwargs: dict[str, Any], timeout: float) -> Outcome:
        """Run the function here; `module` and `timeout` are ignored (trusted code)."""

        try:
            with np.errstate(all="ignore"):
                return InProcessOutcome(call_python(self.functions, Call(function, kwargs)))
        except Exception as exc:
            return InProcessOutcome(exc=exc)


# ---------------------------------------------------------------- forbidden calls


def forbidden_uses(
    source: str,
    names: list[str],
    functions: list[str] | None = None,
    graded_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[int, str]]:
    """(line, name) of every use of a forbidden name in `source`.

    Names are dotted (``np.dot``; ``numpy.`` is the same as ``np.``) or ``@``. Aliases
    (``import numpy as xp``, ``from numpy import dot as d``) and the method form
    (``a.dot(b)`` for ``np.dot``) are caught too. Given the exercise's `functions`, only
    the code they can reach is scanned (`_reachable`), short of `graded_elsewhere`: a
    notebook written out as every exercise's module holds the other exercises' code too,
    where `@` may be allowed.
    """
    banned = {_canonical(n) for n in names}
    methods = {n.split(".", 1)[1] for n in banned if n.startswith("np.") and n.count(".") == 1}
    tree = ast.parse(source)
    alias: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                alias[a.asname or a.name] = _canonical(a.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                alias[a.asname or a.name] = _canonical(f"{node.module}.{a.name}")
    scanned = [tree] if functions is None else _reachable(tree, functions, graded_elsewhere)
    found: set[tuple[int, str]] = set()
    for node in (node for part in scanned for node in ast.walk(part)):
        if "@" in banned and isinstance(node, (ast.BinOp, ast.AugAssign)):
            if isinstance(node.op, ast.MatMult):
                found.add((node.lineno, "@"))
        elif isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, alias)
            if dotted in banned:
                found.add((node.lineno, dotted))
            elif isinstance(node, ast.Attribute) and node.attr in methods and dotted is None:
                found.add((node.lineno, f"np.{node.attr}"))
    return sorted(found)


def _reachable(
    tree: ast.Module, functions: list[str], graded_elsewhere: frozenset[str]
) -> list[ast.stmt]:
    """The module-level statements that `functions` can use: every statement but function
    and class definitions, and the definitions named by `functions` or used, by name, in
    what is already kept (a helper, a helper's helper), except those `graded_elsewhere`.
    Of two definitions of one name, the last is the one in force."""
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    defined = {
        node.name: node
        for node in tree.body
        if isinstance(node, definitions) and node.name not in graded_elsewhere
    }
    kept = [node for node in tree.body if not isinstance(node, definitions)]
    wanted = list(functions) + [n.id for s in kept for n in ast.walk(s) if isinstance(n, ast.Name)]
    while wanted:
        node = defined.pop(wanted.pop(), None)
        if node is not None:
            kept.append(node)
            wanted.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return kept


def _canonical(name: str) -> str:
    """``numpy`` and ``numpy.x`` spelled ``np`` and ``np.x``."""
    if name == "numpy" or name.startswith("numpy."):
        return "np" + name[len("numpy") :]
    return name


def _dotted(node: ast.expr, alias: dict[str, str]) -> str | None:
    """``np.linalg.norm`` for an attribute chain on an imported name, else None."""
    if isinstance(node, ast.Name):
        return alias.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, alias)
        return f"{base}.{node.attr}" if base else None
    return None


def forbidden_check(
    exercise: ExerciseSpec, path: Path, graded_elsewhere: frozenset[str] = frozenset()
) -> CheckResult | None:
    """The "uses no forbidden helpers" check, or None when the module does not parse.

    Only the code the exercise's functions reach is scanned, leaving out the functions in
    `graded_elsewhere` (other exercises' functions in this very module, see `_reachable`)."""
    assert exercise.forbidden is not None
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
        uses = forbidden_uses(
            source, exercise.forbidden.names, exercise.functions, graded_elsewhere
        )
    except (SyntaxError, ValueError):
        return None  # reported as an import error by the worker
    result = CheckResult(
        name="uses no forbidden helpers",
        visibility="public",
        kind="forbidden",
        status="pass",
        points=exercise.forbidden.points,
        max_points=exercise.forbidden.points,
    )
    if uses:
        result.status, result.points = "fail", 0.0
        line, name = uses[0]
        result.message = f"{path.name} line {line}: {name} is not allowed in this exercise"
        result.details = [f"also line {ln}: {n}" for ln, n in uses[1:6]]
    return result


# ---------------------------------------------------------------- checks


class _Stop(Exception):
    """The module could not be imported: the exercise stops with status error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_case_cache: dict[tuple[str, str, int], Case] = {}


@functools.cache
def _resolved(folder: Path) -> str:
    return str(folder.resolve())


def _case(exercise: ExerciseSpec, check: CheckSpec, seed: int) -> Case:
    key = (_resolved(exercise.folder), check.name, seed)
    if key not in _case_cache:
        if len(_case_cache) > 4096:
            _case_cache.clear()
        _case_cache[key] = build_case(exercise, check, seed)
    return _case_cache[key]


def run_check(
    exercise: ExerciseSpec,
    check: CheckSpec,
    runner: Runner,
    seed: int,
    kinds: list[tuple[str, str | None]],
) -> CheckResult:
    """Run one check; append (function, error kind or None) of each call to `kinds`."""
    result = CheckResult(
        name=check.name,
        visibility=check.visibility,  # type: ignore[arg-type]
        kind=check.compare,
        status="fail",
        points=0.0,
        max_points=check.points,
        trace=list(check.trace) if check.visibility == "hand-worked" else [],
    )
    try:
        case = _case(exercise, check, seed)
    except FixtureError as exc:
        result.status, result.message = "error", str(exc)
        return result
    outputs: list[Any] = []
    printed: list[str] = []
    for call in case.calls:
        if (call.fn, "timeout") in kinds:  # one timeout per function, not one per check
            why = f"not run: {call.fn} timed out on an earlier check"
            return _finish(result, check, Verdict(False, why), printed, "error", why)
        out = _call(runner, exercise.module, call, check.timeout)
        kinds.append((call.fn, out.error_kind))
        if out.output:
            printed.append(out.output)
        if out.error_kind == "import":
            why = out.message.removeprefix(f"could not import {exercise.module}: ")
            raise _Stop(f"{exercise.module}.py could not be imported: {why}")
        if check.compare == "raises":
            verdict = _raises_verdict(call.fn, check, out)
            if not verdict.ok:  # the message names only functions and exception classes
                status = "fail" if out.ok or out.error_kind == "exception" else "error"
                return _finish(result, check, verdict, printed, status, verdict.message)
            continue
        if not out.ok:
            verdict = _error_verdict(call.fn, out)
            return _finish(result, check, verdict, printed, "error", _value_free(call.fn, out))
        outputs.append(out.value)
    if check.compare != "raises":
        verdict = _compare(exercise, check, case, outputs)
        if not verdict.ok:
            mis = match_misconception(exercise, check, case, outputs, seed)
            if mis is not None:
                result.misconception, result.hint = mis.name, mis.hint
            return _finish(result, check, verdict, printed, status="fail")
    result.status, result.points = "pass", check.points
    return _finish(result, check, Verdict(True), printed, status="pass")


def _call(runner: Runner, module: str, call: Call, timeout: float) -> Outcome:
    """`runner.call`, with a worker that cannot start reported as an error outcome."""
    from grader.sandbox import WorkerError

    try:
        out = runner.call(module, call.fn, kwargs=call.kwargs, timeout=timeout)
    except WorkerError as exc:
        return InProcessOutcome(exc=exc, kind="killed", message=f"the worker failed: {exc}")
    return _blame_the_dependency(module, out)


_FRAME = re.compile(r'File "(?:.*/)?(\w+)\.py", line \d+, in (\w+)')


def _blame_the_dependency(module: str, out: Outcome) -> Outcome:
    """A NotImplementedError raised in another of the student's modules (cross_entropy
    calling an unfinished softmax) is that module's, not this exercise's: say so."""
    if out.error_kind != NOT_IMPLEMENTED:
        return out
    frames = _FRAME.findall(out.traceback or "")
    if not frames or frames[-1][0] == module:
        return out
    dep, fn = frames[-1]
    why = f"blocked by {dep}: {fn} in {dep}.py is not implemented yet; finish that exercise first"
    blocked = InProcessOutcome(exc=RuntimeError(why), kind="blocked", message=why)
    blocked.output = out.output
    return blocked


def _compare(exercise: ExerciseSpec, check: CheckSpec, case: Case, outputs: list[Any]) -> Verdict:
    if check.compare == "property":
        index = exercise.checks.index(check)
        assert check.property is not None
        prop = instructor_function(exercise, "cases", check.property, f"checks[{index}].property")
        try:
            with np.errstate(all="ignore"):
                problem = prop(case.calls, outputs, case.expected)
        except Exception as exc:  # e.g. indexing an output of the wrong shape
            wrong_shape = shape_mismatch(outputs, case.expected)
            return wrong_shape or Verdict(False, f"{CANNOT_CHECK}: {type(exc).__name__}")
        return Verdict(problem is None, problem or "")
    assert case.expected is not None
    exact = check.compare == "exact"
    for i, (got, expected) in enumerate(zip(outputs, case.expected, strict=True)):
        label = f"call {i + 1}" if len(outputs) > 1 else ""
        verdict = compare_values(got, expected, check.rtol, check.atol, exact, label)
        if not verdict.ok:
            return verdict
    return Verdict(True)


_SIGNATURE_ERROR = re.compile(
    r"TypeError: (\w+\(\) "
    r"(got an unexpected|got multiple values|missing \d+ required|takes \d+) .*)"
)


def _signature_problem(out: Outcome) -> str | None:
    """A TypeError raised by the call itself (no frame of the student's code ran): the
    function's signature does not take the contract's arguments. The message names the
    function and a parameter, never a value, so hidden checks may show it too."""
    if out.error_type != "TypeError" or "Traceback" in (out.traceback or ""):
        return None
    found = _SIGNATURE_ERROR.fullmatch(out.message.strip())
    if found is None:
        return None
    return f"{found.group(1)}: check the function's signature against the docstring"


def _raises_verdict(fn: str, check: CheckSpec, out: Outcome) -> Verdict:
    signature = _signature_problem(out)
    if signature is not None and check.raises != "TypeError":
        return Verdict(False, signature)
    if out.ok:
        return Verdict(False, f"{fn} should raise {check.raises} here, but it returned a value")
    if out.error_kind == "exception" and out.error_type == check.raises:
        return Verdict(True)
    if out.error_kind in ("exception", NOT_IMPLEMENTED):
        return Verdict(False, f"{fn} raised {out.error_type}, expected {check.raises}")
    return _error_verdict(fn, out)


def _error_verdict(fn: str, out: Outcome) -> Verdict:
    if out.error_kind == NOT_IMPLEMENTED:
        return Verdict(False, f"{fn}: not implemented yet (raises NotImplementedError)")
    signature = _signature_problem(out)
    if signature is not None:
        return Verdict(False, signature)
    if out.error_kind == "exception":
        details = [ln for ln in (out.traceback or "").splitlines() if ln.strip()]
        return Verdict(False, f"{fn} raised {out.message}", details)
    return Verdict(False, f"{fn}: {out.message}")


def _finish(
    result: CheckResult,
    check: CheckSpec,
    verdict: Verdict,
    printed: list[str],
    status: str,
    value_free: str = "",
) -> CheckResult:
    """Set status and feedback; a hidden check gets `value_free` (or a summary) only."""
    result.status = status  # type: ignore[assignment]
    if status == "pass":
        return result
    if check.visibility == "hidden":
        what = f" ({check.describe})" if check.describe else ""
        failed_head, error_head = HIDDEN_MESSAGE_PREFIXES
        head = error_head if status == "error" else failed_head
        result.message = f"{head}{what}: {value_free or summarise_failure(verdict)}"
        return result
    result.message, result.details = verdict.message, list(verdict.details)
    result.output = "".join(printed)
    return result


def _value_free(fn: str, out: Outcome) -> str:
    """An error line without the exception's text (which may quote hidden values)."""
    signature = _signature_problem(out)
    if signature is not None:
        return signature
    if out.error_kind == "exception":
        return f"{fn} raised {out.error_type}"
    if out.error_kind == NOT_IMPLEMENTED:
        return f"{fn} is not implemented yet"
    return f"{fn}: {out.message}"


# ---------------------------------------------------------------- by-hand questions


ANSWER_SLACK = 1e-12  # |0.88 - 0.881| is 0.0010000000000000009: "within 0.001" all the same


def _answer_checks(questions: list[QuestionSpec], answers_path: Path | None) -> list[CheckResult]:
    checks = []
    answers: dict[str, Any] = {}
    problem = ""
    if answers_path is None:
        problem = "no answers.yaml found beside the module"
    else:
        try:
            loaded = load_yaml(answers_path) or {}
        except (YamlError, OSError) as exc:
            problem = "answers.yaml could not be read: " + " ".join(str(exc).split())
        else:
            if isinstance(loaded, dict):
                answers = loaded
            else:
                problem = "answers.yaml must map each question id to an answer"
    for q in questions:
        res = CheckResult(
            name=f"answers.yaml: {q.id}",
            visibility="public",
            kind="answer",
            status="fail",
            points=0.0,
            max_points=q.points,
        )
        if problem:
            res.status, res.message = "error", problem
        elif answers.get(q.id) is None:
            res.message = f"not answered yet ({q.question})"
        else:
            ok, res.message = _judge_answer(q, answers[q.id])
            if ok:
                res.status, res.points, res.message = "pass", q.points, ""
            elif q.explain:
                res.trace = [q.explain]  # the working, once the student has tried
        checks.append(res)
    return checks + _unknown_answers(questions, answers)


def _unknown_answers(questions: list[QuestionSpec], answers: dict[str, Any]) -> list[CheckResult]:
    """A failed line worth no points for each answers.yaml key that is no question's id."""
    ids = [q.id for q in questions]
    lines = []
    for key in map(str, answers):
        if key in ids:
            continue
        close = difflib.get_close_matches(key, ids, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(
            CheckResult(
                name=f"answers.yaml: {key}",
                visibility="public",
                kind="answer",
                status="fail",
                points=0.0,
                max_points=0.0,
                message=f"unknown question {key!r}{guess}",
            )
        )
    return lines


def _judge_answer(q: QuestionSpec, given: Any) -> tuple[bool, str]:
    if q.compare == "exact" or isinstance(q.answer, str):
        ok = str(given).strip() == str(q.answer).strip()
        return ok, f"{q.question}: your answer {given!r} is not right"
    try:
        got = np.asarray(given, dtype=np.float64)
    except (TypeError, ValueError):
        return False, f"{q.question}: expected a number or a list of numbers, got {given!r}"
    want = np.asarray(q.answer, dtype=np.float64)
    if q.compare == "shape":
        return got.shape == want.shape and bool(np.all(got == want)), (
            f"{q.question}: your shape {given!r} is not right"
        )
    if got.shape != want.shape:
        return False, f"{q.question}: expected {want.size} number(s) in shape {want.shape}"
    ok = bool(np.all(np.abs(got - want) <= q.tol + ANSWER_SLACK))
    return ok, f"{q.question}: your answer {given!r} is not within {q.tol:g} of the right value"


# ---------------------------------------------------------------- exercises


def grade_exercise(
    exercise: ExerciseSpec,
    runner: Runner,
    module_path: Path | None,
    answers_path: Path | None,
    mode: Mode,
    seed: int,
) -> ExerciseResult:
    """Grade one exercise whose module is served by `runner` (module_path None: in-process)."""
    schedule = Scheduler([ExerciseRun(exercise, module_path, answers_path, mode, seed)])
    schedule.serve(runner)
    return schedule.results()[0]


class ExerciseRun:
    """One exercise being graded: `begin`, then every check by whichever runner `take`s it
    (one runner, or several workers at once: `grader.scheduler`), then `finish`.

    `begin` scans for forbidden calls and imports the module; `finish` adds the by-hand
    answers, decides "not implemented", and scores. Check results keep the spec's order
    whoever ran them. Not thread-safe by itself: the scheduler serialises `take`.
    """

    def __init__(
        self,
        exercise: ExerciseSpec,
        module_path: Path | None,
        answers_path: Path | None,
        mode: Mode,
        seed: int,
        graded_elsewhere: frozenset[str] = frozenset(),
    ) -> None:
        self.exercise, self.module_path, self.answers_path = exercise, module_path, answers_path
        self.seed, self.graded_elsewhere = seed, graded_elsewhere
        self.checks = [c for c in exercise.checks if mode == "hidden" or c.visibility != "hidden"]
        self.results: list[CheckResult | None] = [None] * len(self.checks)
        self.kinds: list[tuple[str, str | None]] = []  # (function, error kind) of every call
        self.stopped: str | None = None  # why the module could not be imported
        self.head: list[CheckResult] = []  # the forbidden-call check
        self.next_index = 0
        self.started = time.perf_counter()  # reset when a worker begins the exercise

    def begin(self, runner: Runner) -> None:
        """The forbidden-call scan, and the module imported once before any check."""
        self.started = time.perf_counter()
        if self.exercise.forbidden is not None and self.module_path is not None:
            found = forbidden_check(self.exercise, self.module_path, self.graded_elsewhere)
            self.head = [found] if found else []
        try:
            _import_or_stop(self.exercise, runner)
        except _Stop as stop:
            self.stop(stop.message)

    def take(self) -> int | None:
        """The index of the next check to run, or None when none is left."""
        if self.exhausted():
            return None
        self.next_index += 1
        return self.next_index - 1

    def exhausted(self) -> bool:
        """True when every check has been taken, or the exercise has stopped."""
        return self.stopped is not None or self.next_index >= len(self.checks)

    def run(self, index: int, runner: Runner) -> None:
        """Run check `index` on `runner`; an import failure stops the whole exercise."""
        try:
            self.results[index] = run_check(
                self.exercise, self.checks[index], runner, self.seed, self.kinds
            )
        except _Stop as stop:
            self.stop(stop.message)

    def stop(self, message: str) -> None:
        """No further check runs; the exercise ends with status error and `message`."""
        if self.stopped is None:
            self.stopped = message

    def finish(self) -> ExerciseResult:
        """The exercise's result, once every check taken has run."""
        exercise = self.exercise
        result = ExerciseResult(
            exercise=exercise.name,
            title=exercise.title,
            module=exercise.module,
            status="graded",
            score=0.0,
            max_score=exercise.points,
        )
        if self.stopped is not None:
            result.status, result.message = "error", self.stopped
            result.duration_s = time.perf_counter() - self.started
            return result
        checks = self.head + [r for r in self.results if r is not None]
        questions = exercise.questions
        answers = _answer_checks(questions, self.answers_path) if questions else []
        if self.kinds and all(k == NOT_IMPLEMENTED for _, k in self.kinds):
            raised = {fn for fn, _ in self.kinds}
            first = next(fn for fn in exercise.functions if fn in raised)
            result.status = "not_implemented"
            result.message = f"not implemented yet ({first} raises NotImplementedError)"
            answered = [a for a in answers if not a.message.startswith("not answered")]
            checks = answered if any(a.status != "error" for a in answered) else []
        else:
            checks.extend(answers)
        _score(exercise, result, checks)
        result.duration_s = time.perf_counter() - self.started
        return result


def _import_or_stop(exercise: ExerciseSpec, runner: Runner) -> None:
    """Import the module once before any check (workers only): a module that hangs, is
    killed or exits while importing stops its exercise at once, rather than costing one
    timeout per check."""
    inspect = getattr(runner, "inspect", None)
    if inspect is None:
        return
    timeout = max((c.timeout for c in exercise.checks), default=10.0)
    info = inspect(exercise.module, timeout=timeout)
    if info.error_kind in ("timeout", "killed", "exited", "protocol"):
        raise _Stop(f"{exercise.module}.py could not be imported: {info.error}")


def _mark_blocked(
    exercise: ExerciseSpec, checks: list[CheckResult], broken: dict[str, ExerciseSpec]
) -> None:
    """Say "blocked by softmax: fix exercise 03 first" on failures when a dependency is broken."""
    blockers = [broken[m] for m in exercise.requires if m in broken]
    if not blockers:
        return
    dep = blockers[0]
    for c in checks:
        if c.status != "pass" and c.kind not in ("forbidden", "answer"):
            c.details.insert(0, c.message)
            c.message = f"blocked by {dep.module}: fix exercise {dep.number} first"


def _score(exercise: ExerciseSpec, result: ExerciseResult, checks: list[CheckResult]) -> None:
    """Scale check points so they add up to the exercise's points."""
    total = sum(c.max_points for c in checks)
    earned = sum(c.points for c in checks)
    scale = exercise.points / total if total else 0.0
    for c in checks:
        c.points = round(c.points * scale, 6)
        c.max_points = round(c.max_points * scale, 6)
    result.checks = checks
    if result.status == "graded":
        result.score = round(earned * scale, 6)


def not_graded(exercise: ExerciseSpec, status: str, message: str) -> ExerciseResult:
    """A zero result with one message and no checks (not submitted, nothing graded)."""
    return ExerciseResult(
        exercise=exercise.name,
        title=exercise.title,
        module=exercise.module,
        status=status,  # type: ignore[arg-type]
        score=0.0,
        max_score=exercise.points,
        message=message,
    )


# ---------------------------------------------------------------- submissions


def versions() -> dict[str, str]:
    """The versions a result was produced with."""
    return {
        "gradeformer": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def isolation_label(isolation: Any) -> str:
    """ "bwrap", "unshare" or "rlimits" for an `Isolation` (or its value)."""
    value = getattr(isolation, "value", isolation)
    return str(value).lower()


@contextmanager
def open_submission(
    path: Path, exercises: list[ExerciseSpec], sibling_folders: bool = False
) -> Iterator[Located]:
    """The submission at `path` as located modules (a temporary folder for zip/ipynb).

    The modules the exercises `require` are looked for too (an exercise checked alone still
    finds the student's earlier modules). With `sibling_folders` (a student's own `check`,
    never a class: a neighbour's folder is another student's), a required module missing
    from the folder `path` is also taken from a sibling folder: ~/work/03_softmax/softmax.py
    serves ~/work/04_cross_entropy. Such a module is `borrowed`: later exercises import it,
    but its own exercise is not graded from it (it is not in the folder being checked).
    """
    with tempfile.TemporaryDirectory(prefix="gradeformer-sub-") as tmp:
        functions = {ex.module: ex.functions for ex in exercises}
        required = {m for ex in exercises for m in ex.requires}
        root = materialise(path, Path(tmp) / "submission", functions)
        located = locate(root, set(functions) | required)
        add_notebook_modules(located, Path(tmp) / "notebooks", functions)
        if sibling_folders and path.is_dir():
            _add_sibling_modules(located, path, required)
        yield located


def _add_sibling_modules(located: Located, folder: Path, modules: set[str]) -> None:
    """Required modules still missing, from `folder`'s sibling folders (one level deep)."""
    for module in sorted(modules - set(located.modules)):
        siblings = sorted(folder.resolve().parent.glob(f"*/{module}.py"))
        found = [f for f in siblings if f.parent != folder.resolve() and f.is_file()]
        if found:
            located.modules[module] = found[0]
            located.borrowed.add(module)


def grade_located(
    located: Located,
    chosen: list[ExerciseSpec],
    mode: Mode,
    seed: int,
    isolation: Any,
    limits: Any = None,
    workers: int | Sequence[Any] = 1,
) -> list[ExerciseResult]:
    """Grade the `chosen` exercises of a located submission in sandboxed workers (each
    serves all of the submission's modules) and return results in order.

    `workers` is how many to start, or `Worker`s launched in advance with no modules
    (`Worker.start_in_background`, as the CLI does before it has loaded anything), which
    are given the modules here and stay the caller's to close (the ones started here are
    closed here). The workers boot while
    the main thread computes the cases' expected values; then one thread per worker shares
    out the exercises' checks, latest exercise first (`grader.scheduler`). "Blocked by"
    notes are added afterwards, in curriculum order.
    """
    from grader.sandbox import Limits, Worker

    present = [ex for ex in chosen if ex.module in located.modules.keys() - located.borrowed]
    present.sort(key=lambda ex: ex.number, reverse=True)
    wanted = workers if isinstance(workers, int) else len(workers)
    count = max(1, min(wanted, sum(len(ex.checks) for ex in present))) if present else 0
    pool = [] if isinstance(workers, int) else list(workers)[:count]
    for worker in pool:
        worker.provide(located.modules)
    limits = limits or Limits()
    made = [Worker(located.modules, limits, isolation) for _ in range(count - len(pool))]
    for worker in made:
        worker.start_in_background()
    pool += made
    elsewhere = _graded_elsewhere(present, located)
    schedule = Scheduler(
        [
            ExerciseRun(
                ex,
                located.modules[ex.module],
                located.answers.get(ex.module),
                mode,
                seed,
                elsewhere.get(ex.module, frozenset()),
            )
            for ex in present
        ]
    )
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=max(1, count)) as threads:
        for worker in made:
            stack.enter_context(worker)
        serving = [threads.submit(schedule.serve, worker) for worker in pool]
        try:
            _prepare_cases(present, mode, seed)  # meanwhile: the workers boot, then grade
            for served in serving:
                served.result()
        except BaseException:  # Ctrl-C, or an instructor error in one thread: stop them all
            schedule.cancel()
            for worker in pool:
                worker.kill()
            raise
    graded = {res.exercise: res for res in schedule.results()}
    results = []
    broken: dict[str, ExerciseSpec] = {}
    for ex in chosen:
        res = graded.get(ex.name) or not_graded(ex, "not_submitted", _not_found(ex, located))
        if res.status == "graded":
            _mark_blocked(ex, res.checks, broken)
        if res.status != "graded" or any(not c.passed for c in res.checks):
            broken[ex.module] = ex
        results.append(res)
    return results


def _graded_elsewhere(present: list[ExerciseSpec], located: Located) -> dict[str, frozenset[str]]:
    """For each exercise with a forbidden-call scan, the contract functions of the other
    exercises whose module is the very same code (a notebook is written out as the module of
    every exercise it defines): the scan leaves those to their own exercise."""
    scanned = [ex for ex in present if ex.forbidden is not None]
    if not scanned:
        return {}
    code = {}
    for ex in present:
        try:
            code[ex.module] = located.modules[ex.module].read_bytes()
        except OSError:
            code[ex.module] = b""
    return {
        ex.module: frozenset(
            fn
            for other in present
            if other is not ex and code[ex.module] and code[other.module] == code[ex.module]
            for fn in other.functions
        )
        for ex in scanned
    }


def _not_found(exercise: ExerciseSpec, located: Located) -> str:
    missing = f"{exercise.module}.py not found in the submission"
    if exercise.module in located.borrowed:
        sibling = located.modules[exercise.module].parent.name
        missing += f" (the one in ../{sibling} is only imported by later exercises)"
    elif exercise.module in located.links_out:
        link = located.links_out[exercise.module].relative_to(located.root)
        missing += (
            f" ({link} is a link leading outside it or nowhere, and is not read: "
            "put the file itself there)"
        )
    return missing


def _prepare_cases(exercises: list[ExerciseSpec], mode: Mode, seed: int) -> None:
    """Fill the case cache; a failure is left for `run_check` to raise or report."""
    for ex in exercises:
        for check in ex.checks:
            if mode == "hidden" or check.visibility != "hidden":
                with contextlib.suppress(Exception):
                    _case(ex, check, seed)


def grade_submission(
    path: Path,
    exercises: list[ExerciseSpec],
    mode: Mode = "hidden",
    seed: int = 0,
    student: str | None = None,
    isolation: Any = None,
    only: list[str] | None = None,
    limits: Any = None,
    sibling_folders: bool = False,
    workers: int | Sequence[Any] = 1,
) -> SubmissionResult:
    """Grade the submission at `path` (folder, .zip or .ipynb); see docs/internals.md.

    `sibling_folders`: see `open_submission` (for a student's own `check` only);
    `workers`: how many sandboxed workers grade at once, or workers launched in advance
    (see `grade_located`; the caller closes those).

    Never raises for a bad submission; raises `SpecError` for a malformed exercise,
    `CaseError` when instructor code (cases.py, the reference) fails to build a case, and
    `LookupError` for an unknown name in `only`.
    """
    from grader.sandbox import detect_isolation

    start = time.perf_counter()
    chosen = select(exercises, only)
    result = SubmissionResult(
        submission=str(path),
        student=student,
        mode=mode,
        seed=seed,
        isolation="",  # known once the worker has started (None: the strongest that starts)
        score=0.0,
        max_score=round(sum(ex.points for ex in chosen), 6),
        versions=versions(),
        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    try:
        with open_submission(path, exercises, sibling_folders) as located:
            result.exercises = grade_located(
                located, chosen, mode, seed, isolation, limits, workers
            )
    except SubmissionError as exc:
        result.error = str(exc)
        result.exercises = [not_graded(ex, "error", "nothing was graded") for ex in chosen]
    if mode == "public":
        for spec, res in zip(chosen, result.exercises, strict=True):
            res.hidden_not_run = sum(c.visibility == "hidden" for c in spec.checks)
    # cached by then: the worker's first start recorded the level it used
    result.isolation = isolation_label(isolation if isolation is not None else detect_isolation())
    result.score = round(sum(ex.score for ex in result.exercises), 6)
    result.duration_s = time.perf_counter() - start
    return result
