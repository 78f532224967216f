"""One check on one exercise: build its case, make the calls, judge the outputs, and word
the result.

`run_check` builds the case (inputs and expected values, in this process, cached per
exercise folder, check and seed), calls the student's functions through a `Runner` (the
sandboxed worker), compares, and on a failure names the matching misconception. A failed
hidden check gets a value-free message only (its head is one of
`grader.results.HIDDEN_MESSAGE_PREFIXES`); a public one gets the diagnostics and what the
student's code printed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import numpy as np

from grader.cases import Case, build_case, instructor_function
from grader.compare import CANNOT_CHECK, Verdict, compare_values, shape_mismatch, summarise_failure
from grader.fixtures import FixtureError
from grader.grading.runner import NOT_IMPLEMENTED, InProcessOutcome, Outcome, Runner
from grader.misconceptions import match_misconception
from grader.relations import find_relation
from grader.results import HIDDEN_MESSAGE_PREFIXES, CheckResult
from grader.spec import Call, CheckSpec, ExerciseSpec


class StopExercise(Exception):
    """The module could not be imported: the exercise stops with status error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_case_cache: dict[tuple[str, str, int], Case] = {}  # (exercise folder, check, seed) -> case


@functools.cache
def _resolved(folder: Path) -> str:
    return str(folder.resolve())


def cached_case(exercise: ExerciseSpec, check: CheckSpec, seed: int) -> Case:
    """The check's case for `seed`, built once in this process (and read from the disk
    cache by `build_case` when another process built it)."""
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
        case = cached_case(exercise, check, seed)
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
            raise StopExercise(f"{exercise.module}.py could not be imported: {why}")
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
            else:
                verdict = _with_relation(verdict, case, outputs)
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


def _with_relation(verdict: Verdict, case: Case, outputs: list[Any]) -> Verdict:
    """`verdict` with a "likely:" line naming how the first wrong array output relates to
    the expected one (`grader.relations`), when a simple relation holds."""
    for call, got, expected in zip(case.calls, outputs, case.expected or [], strict=False):
        if not isinstance(expected, (np.ndarray, float, int)):
            continue
        relation = find_relation(got, expected, call.kwargs)
        if relation is not None:
            return Verdict(False, verdict.message, [*verdict.details, f"likely: {relation}"])
    return verdict


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
