"""Length-prefixed frames on the worker's dedicated pipes.

A frame is a 4-byte big-endian length followed by that many bytes (a `grader.codec`
payload). Requests go parent → worker on one pipe, responses worker → parent on another;
neither is stdout. The reader enforces a size cap before reading a payload and a
deadline, so a forged length or a silent worker cannot hold the parent.

This module imports only the standard library: the worker runs a copy of it.
"""

from __future__ import annotations

import os
import select
import struct
import time

HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """The pipe carried something that is not a well-formed frame."""


class PipeClosed(Exception):
    """The other end closed the pipe (the worker exited or was killed)."""


class Timeout(Exception):
    """The deadline passed before a whole frame arrived; `partial` says if one had started."""

    def __init__(self, partial: bool) -> None:
        super().__init__("deadline passed")
        self.partial = partial


def write_frame(fd: int, payload: bytes, deadline: float | None = None) -> None:
    """Write one frame to `fd`, waiting at most until `deadline` (time.monotonic())."""
    data = memoryview(HEADER.pack(len(payload)) + payload)
    while data:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout(partial=True)
            if not select.select([], [fd], [], remaining)[1]:
                continue
        try:
            written = os.write(fd, data[: 1 << 16])
        except BrokenPipeError as exc:
            raise PipeClosed() from exc
        data = data[written:]


def read_frame(
    fd: int,
    max_bytes: int,
    deadline: float | None = None,
    also_wait: int | None = None,
) -> bytes:
    """Read one frame from `fd`; raise on a length over `max_bytes`, EOF or the deadline.

    `also_wait` is an optional second fd (a pidfd of the worker): when it becomes readable
    (the process exited) and `fd` has nothing more to give, the pipe counts as closed even
    if an escaped grandchild still holds its write end.
    """
    header = _read_exact(fd, HEADER.size, deadline, also_wait, started=False)
    (length,) = HEADER.unpack(header)
    if length > max_bytes:
        raise ProtocolError(f"frame of {length} bytes exceeds the cap of {max_bytes}")
    return _read_exact(fd, length, deadline, also_wait, started=True)


def _read_exact(
    fd: int, n: int, deadline: float | None, also_wait: int | None, started: bool
) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got < n:
        waiting = [fd] if also_wait is None else [fd, also_wait]
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise Timeout(partial=started or got > 0)
        ready = select.select(waiting, [], [], remaining)[0]
        if not ready:
            continue
        if fd not in ready:  # the process exited; drain what is already in the pipe
            if not select.select([fd], [], [], 0)[0]:
                raise PipeClosed()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise PipeClosed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
