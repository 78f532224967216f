"""What one call into the worker did, and the limits it ran under.

`outcome_of` reads the worker's response to a request (already decoded by the codec) into a
`CallOutcome`; a response that does not answer the request it was sent for, or is not
shaped like a response, raises `ProtocolError`. `Worker` (worker.py) does the sending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.sandbox.protocol import ProtocolError


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker process (and each process it starts)."""

    cpu_seconds: float = 20.0  # CPU time per call (RLIMIT_CPU soft, reset before each call)
    memory_bytes: int = 2**30  # address space (RLIMIT_AS); the worker with numpy uses ~100 MB
    file_bytes: int = 64 * 2**20  # largest file written, stdout included (RLIMIT_FSIZE)
    open_files: int = 64  # RLIMIT_NOFILE
    output_bytes: int = 64 * 2**10  # captured stdout+stderr read back per call
    processes: int = 64  # RLIMIT_NPROC of the worker's own uid; applied only as root
    cpu_total_seconds: int = 3600  # RLIMIT_CPU hard: the whole worker's CPU budget
    result_bytes: int = 256 * 2**20  # the largest result the parent accepts
    scratch_bytes: int = 128 * 2**20  # bwrap: size of the run folder's tmpfs (held in RAM)
    start_seconds: float = 60.0  # wall-clock time allowed to start a worker


@dataclass
class CallOutcome:
    """What one call of a student function did (see docs/internals.md)."""

    ok: bool
    value: Any = None
    error_kind: str | None = None  # exception | not_implemented | import | missing_function |
    #                                timeout | killed | exited | protocol | bad_value
    error_type: str | None = None
    message: str = ""
    traceback: str = ""
    output: str = ""
    duration_s: float = 0.0


@dataclass
class ModuleInfo:
    """The functions a module defines (name -> signature) or why it cannot be imported."""

    functions: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    error_kind: str | None = None
    traceback: str = ""


def outcome_of(op: str, nonce: str, data: Any, limits: Limits) -> CallOutcome:
    """Turn a decoded response into an outcome; anything unexpected is a protocol error."""
    if not isinstance(data, dict) or data.get("nonce") != nonce or data.get("op") != op:
        raise ProtocolError("a response that does not answer this request")
    status = data.get("status")
    texts = {k: data.get(k, "") for k in ("message", "traceback")}
    if not all(isinstance(t, str) for t in texts.values()):
        raise ProtocolError("a response with a non-text message")
    error_type = data.get("error_type")
    if error_type is not None and not isinstance(error_type, str):
        raise ProtocolError("a response with a non-text error type")
    if status == "ok":
        key = "functions" if op == "inspect" else "value"
        value = data.get(key)
        if op == "inspect" and not _is_signature_table(value):
            raise ProtocolError("an inspect response without a function table")
        return CallOutcome(True, value=value)
    kinds = {
        "exception": "exception",
        "not_implemented": "not_implemented",
        "import": "import",
        "missing_function": "missing_function",
        "bad_value": "bad_value",
        "memory": "killed",
        "exit": "exited",
    }
    if status not in kinds:
        raise ProtocolError(f"a response with an unknown status {status!r:.40}")
    outcome = CallOutcome(False, error_kind=kinds[status], error_type=error_type, **texts)
    if status == "memory":
        outcome.message = f"killed: memory limit {size_text(limits.memory_bytes)}"
    elif status == "exit":
        code = data.get("code")
        outcome.message = f"exited with status {code} before returning a result (sys.exit)"
    return outcome


def _is_signature_table(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def size_text(n: int) -> str:
    """1073741824 -> "1 GiB"; 67108864 -> "64 MiB"."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"
