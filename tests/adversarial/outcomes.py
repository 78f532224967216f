"""The attack × level table of docs/security.md, made by running the attack suite.

    python tests/adversarial/outcomes.py            # prints the table (Markdown)

Runs tests/adversarial/test_attacks.py with ``GRADEFORMER_ATTACK_LOG`` set, once as is
(every level this machine has) and, as root on Linux, once more the way Docker refuses
namespaces (tests/tools/no_namespaces.py) and once more without Landlock either
(``--no-landlock``), then prints one row per attack test and one column per level and
machine: what each call of the attack did, and ✓ where the test (which asserts what that
level guarantees) passed. Nothing in the table is written by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOOL = ROOT / "tests" / "tools" / "no_namespaces.py"
MACHINES = {  # column label prefix: how to run pytest there
    "": [],
    "Docker, ": [sys.executable, str(TOOL)],
    "Docker, no Landlock, ": [sys.executable, str(TOOL), "--no-landlock"],
}


def run(prefix: list[str], log: Path) -> None:
    command = [*prefix, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += [str(HERE / "test_attacks.py")]
    env = {**os.environ, "GRADEFORMER_ATTACK_LOG": str(log)}
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)


def table(rows: list[tuple[str, dict[str, object]]]) -> str:
    columns: list[str] = []
    cells: dict[str, dict[str, str]] = {}
    for machine, row in rows:
        if row["outcome"] == "skipped":
            continue
        column = f"{machine}{row['level']} ({row['files']})"
        if column not in columns:
            columns.append(column)
        mark = "✓" if row["outcome"] == "passed" else "✗ FAILED"
        text = "; ".join(str(o) for o in row["observed"]) or "(no call recorded)"  # type: ignore[attr-defined]
        cells.setdefault(str(row["test"]), {})[column] = f"{mark} {text}".replace("|", "/")
    lines = ["| attack test | " + " | ".join(columns) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    for test, by_column in cells.items():
        lines.append(f"| `{test}` | " + " | ".join(by_column.get(c, "") for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    simulate = os.geteuid() == 0 and sys.platform.startswith("linux")
    rows: list[tuple[str, dict[str, object]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for machine, prefix in MACHINES.items():
            if prefix and not simulate:
                continue
            log = Path(tmp) / "log.jsonl"
            log.unlink(missing_ok=True)
            run(prefix, log)
            if log.exists():
                rows += [(machine, json.loads(line)) for line in log.read_text().splitlines()]
    print(table(rows))


if __name__ == "__main__":
    main()
