"""JUnit XML: a `<testsuite>` per exercise, a `<testcase>` per check.

A failed check is a `<failure>`, an errored one an `<error>` (message = the first feedback
line, text = all of it); points, visibility and kind are `<property>` elements; the student's
prints go in `<system-out>` (never for hidden checks). An exercise whose checks did not run is
one testcase named after its module with a `<failure type="not_submitted|not_implemented">`
(or an `<error>`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.writers.feedback import feedback_text, redact, unrun_message


def write(result: SubmissionResult, stream: TextIO, *, timings: bool = True) -> None:
    """Write `result` as a JUnit XML document."""
    root = to_junit(result, timings=timings)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


def to_junit(result: SubmissionResult, *, timings: bool = True) -> ET.Element:
    """The `<testsuites>` element for `result`."""
    root = ET.Element("testsuites", name=f"gradeformer {result.student or result.submission}")
    _properties(
        root,
        score=result.score,
        max_score=result.max_score,
        seed=result.seed,
        isolation=result.isolation,
        error=result.error or "",
    )
    for ex in result.exercises:
        root.append(_suite(ex, timings))
    suites = list(root.iter("testsuite"))
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    if timings:
        root.set("time", f"{result.duration_s:.3f}")
    return root


def _suite(ex: ExerciseResult, timings: bool) -> ET.Element:
    suite = ET.Element("testsuite", name=ex.exercise)
    _properties(suite, score=ex.score, max_score=ex.max_score, status=ex.status)
    if ex.checks and ex.status == "graded":
        for check in ex.checks:
            suite.append(_case(ex, check, timings))
    else:
        case = ET.SubElement(suite, "testcase", classname=ex.exercise, name=ex.module)
        _properties(case, points=ex.score, max_points=ex.max_score)
        tag = "error" if ex.status == "error" else "failure"
        ET.SubElement(case, tag, message=unrun_message(ex), type=ex.status)
    cases = list(suite.iter("testcase"))
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
    suite.set("skipped", "0")
    if timings:
        suite.set("time", f"{ex.duration_s:.3f}")
    return suite


def _case(ex: ExerciseResult, check: CheckResult, timings: bool) -> ET.Element:
    shown = redact(check)
    case = ET.Element("testcase", classname=ex.exercise, name=check.name)
    if timings:
        case.set("time", f"{check.duration_s:.3f}")
    _properties(
        case,
        points=check.points,
        max_points=check.max_points,
        visibility=check.visibility,
        kind=check.kind,
    )
    if not check.passed:
        text = feedback_text(shown, with_output=False)
        tag = "error" if check.status == "error" else "failure"
        element = ET.SubElement(case, tag, message=text.split("\n", 1)[0], type=check.status)
        element.text = text
    if shown.output:
        ET.SubElement(case, "system-out").text = shown.output
    return case


def _properties(parent: ET.Element, **values: object) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=str(value))
