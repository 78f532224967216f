"""Registers the `attack` mark: `@pytest.mark.attack("name")` picks submissions/<name>/.

With ``GRADEFORMER_ATTACK_LOG=FILE`` each attack test appends one JSON line to FILE: the
attack, the level, what hid the files, the test's outcome and what each call did. The
table of outcomes in docs/security.md is made from such logs (`outcomes.py`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator

import pytest

LOG_ENV = "GRADEFORMER_ATTACK_LOG"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "attack(name): the attack submission a test drives")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    log, marker = os.environ.get(LOG_ENV), item.get_closest_marker("attack")
    if log and marker and (report.when == "call" or report.skipped):
        properties = dict(item.user_properties)
        observed = [v for k, v in item.user_properties if k == "observed"]
        callspec = getattr(item, "callspec", None)
        row = {
            "attack": marker.args[0],
            "test": item.originalname,  # type: ignore[attr-defined]
            "level": callspec.id if callspec else "",
            "files": properties.get("files", ""),
            "outcome": report.outcome,
            "observed": observed,
        }
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
    return report
