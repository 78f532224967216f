"""Attack: write forged response frames straight to the worker's result pipe."""

import json
import os
import stat
import struct
import sys

import numpy as np


def _open_fds():
    """The open descriptors: from /proc, or by trying each number where there is no /proc."""
    try:
        return os.listdir("/proc/self/fd")
    except OSError:
        return [str(fd) for fd in range(3, 256)]


def _frame(tree):
    head = json.dumps({"v": tree, "b": []}).encode()
    body = b"GFC1" + struct.pack(">I", len(head)) + head
    return struct.pack(">I", len(body)) + body


def _pipes():
    for name in _open_fds():
        fd = int(name)
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fd > 2:
                yield fd
        except OSError:
            pass


def _write_all(data):
    for fd in _pipes():
        try:
            os.write(fd, data)
        except OSError:
            pass


def _find_nonce():
    frame = sys._getframe(1)
    while frame is not None:
        for value in frame.f_locals.values():
            if isinstance(value, dict) and "nonce" in value:
                return value["nonce"]
        frame = frame.f_back
    return None


def softmax(x, axis=-1, temperature=1.0):
    """A well-formed "ok" frame without the request's nonce, then a wrong result."""
    _write_all(_frame({"dict": {"op": "call", "status": "ok", "value": {"list": [1.0]}}}))
    return np.zeros(np.shape(x))


def log_softmax(x, axis=-1):
    """The request's nonce found on the stack, a forged "ok", then NotImplementedError."""
    nonce = _find_nonce()
    value = {"list": [float(v) for v in np.ravel(x)]}
    _write_all(_frame({"dict": {"op": "call", "nonce": nonce, "status": "ok", "value": value}}))
    raise NotImplementedError


def garbage(x):
    """A length prefix claiming 4 GiB."""
    _write_all(b"\xff\xff\xff\xff" + b"junk")
    return x
