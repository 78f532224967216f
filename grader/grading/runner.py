"""What calls a submission's functions: the `Runner` protocol, the `Outcome` it returns,
and `InProcessRunner` for trusted code.

Student code always runs in a sandboxed `grader.sandbox.Worker`, which satisfies `Runner`;
`InProcessRunner` calls instructor code (validate's misconceptions) in this process.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from grader.cases import call_python
from grader.spec import Call

NOT_IMPLEMENTED = "not_implemented"  # the error kind of a call that raised NotImplementedError


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
