"""Frames on the worker's pipes: caps, deadlines and closed pipes."""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterator

import pytest

from grader.sandbox.protocol import PipeClosed, ProtocolError, Timeout, read_frame, write_frame


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def test_frames_round_trip_in_order(pipe: tuple[int, int]) -> None:
    r, w = pipe
    write_frame(w, b"first")
    write_frame(w, b"")
    assert read_frame(r, 100) == b"first"
    assert read_frame(r, 100) == b""


def test_a_length_over_the_cap_is_refused_before_reading(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.write(w, struct.pack(">I", 2**32 - 1))
    with pytest.raises(ProtocolError, match="4294967295 bytes exceeds the cap of 1000"):
        read_frame(r, 1000)


def test_silence_times_out_and_says_whether_a_frame_had_started(pipe: tuple[int, int]) -> None:
    r, w = pipe
    with pytest.raises(Timeout) as nothing:
        read_frame(r, 100, deadline=time.monotonic() + 0.05)
    assert not nothing.value.partial
    os.write(w, struct.pack(">I", 10) + b"abc")  # 3 of the 10 bytes promised
    with pytest.raises(Timeout) as half:
        read_frame(r, 100, deadline=time.monotonic() + 0.05)
    assert half.value.partial


def test_a_closed_pipe_is_pipe_closed(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.write(w, struct.pack(">I", 10) + b"abc")
    os.close(w)
    with pytest.raises(PipeClosed):
        read_frame(r, 100)
    os.close(r)
    r2, w2 = os.pipe()
    os.close(r2)
    try:
        with pytest.raises(PipeClosed):
            write_frame(w2, b"x")
    finally:
        os.close(w2)
