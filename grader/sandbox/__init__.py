"""The isolated worker that runs untrusted student code (see docs/internals.md, docs/security.md).

>>> from grader.sandbox import Worker, Limits, detect_isolation   # doctest: +SKIP
>>> with Worker({"softmax": path}, Limits(), detect_isolation()) as w:
...     outcome = w.call("softmax", "softmax", kwargs={"x": x}, timeout=10.0)
"""

from grader.sandbox.calls import CallOutcome, Limits, ModuleInfo
from grader.sandbox.isolation import Isolation, IsolationUnavailable, detect_isolation
from grader.sandbox.worker import Worker, WorkerError

__all__ = [
    "CallOutcome",
    "Isolation",
    "IsolationUnavailable",
    "Limits",
    "ModuleInfo",
    "Worker",
    "WorkerError",
    "detect_isolation",
]
