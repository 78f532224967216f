"""What each containment costs: a worker's start-up at every level this machine offers.

    python benchmarks/bench_isolation.py [--repeat 9]
    python tests/tools/no_namespaces.py python benchmarks/bench_isolation.py   # as in Docker

Starts a worker at each level (and prints what hid the files from it: a root of its own,
Landlock, or nothing) and, as the baseline in the same process, the bare interpreter doing
what every worker must: ``python -I -S -c "import numpy"``. Medians of interleaved rounds;
the ratio is level / baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from grader.sandbox import Isolation, Worker, layout
from grader.sandbox import isolation as iso


def baseline() -> float:
    began = time.perf_counter()
    code = f"import sys; sys.path.append({layout.numpy_site()!r}); import numpy"
    subprocess.run([layout.interpreter(), "-I", "-S", "-c", code], check=True)
    return time.perf_counter() - began


def start(level: Isolation) -> tuple[float, str]:
    with Worker({}, isolation=level) as worker:
        return worker.start(), worker.files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    levels = [level for level in Isolation if iso.probe(level) is None]
    times: dict[str, list[float]] = {"baseline": []}
    hiding: dict[str, str] = {}
    for _ in range(repeat):  # interleaved, so load changes touch every row alike
        times["baseline"].append(baseline())
        for level in levels:
            took, hiding[level.value] = start(level)
            times.setdefault(level.value, []).append(took)
    base = statistics.median(times["baseline"])
    print(f"{'start-up':<10} {'files hidden by':<16} {'median ms':>10} {'ratio':>7}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"{name:<10} {hiding.get(name, '-'):<16} {median * 1000:>10.0f} {median / base:>7.2f}"
        )
    print(f"({repeat} rounds; load average {open('/proc/loadavg').read().split()[0]})")


if __name__ == "__main__":
    sys.exit(main())
