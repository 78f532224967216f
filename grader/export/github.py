"""`gradeformer export github-actions`: a workflow for the students' repositories.

The repository is the student's copy of the release kit (`gradeformer release`). On every
push the workflow installs it, prints `gradeformer check` (public checks, hand-worked
examples, by-hand answers) into the log, writes the same result as JSON and uploads it as
the artifact ``gradeformer-result``; the job fails when a check fails.
"""

from __future__ import annotations

from pathlib import Path

RESULT_FILE = "gradeformer-result.json"

WORKFLOW = """\
# Written by `gradeformer export github-actions`: run the public checks on every push.
name: gradeformer
"on":
  push:
  pull_request:
  workflow_dispatch:
jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install
        run: |
          sudo apt-get update -qq || echo "apt-get update failed: trying the cached lists"
          sudo apt-get install -y -qq bubblewrap || echo "no bubblewrap: weaker isolation"
          {install}
      - name: Check
        id: check
        continue-on-error: true
        run: gradeformer check
      - name: Result as JSON
        if: always()
        run: gradeformer grade . --single --public --format json --out {result}
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: gradeformer-result
          path: {result}
      - name: Fail when a check failed
        if: steps.check.outcome == 'failure'
        run: exit 1
"""


def workflow(python: str = "3.11", install: str = "pip install -e .") -> str:
    """The workflow YAML text."""
    return WORKFLOW.format(python=python, install=install, result=RESULT_FILE)


def write_workflow(out: Path, python: str = "3.11", install: str = "pip install -e .") -> Path:
    """Write the workflow to `out` (usually .github/workflows/grade.yml)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(workflow(python, install), encoding="utf-8")
    return out
