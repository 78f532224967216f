"""Attack: walk the stack and the heap for expected values; return what looks like one."""

import gc
import sys

import numpy as np


def _candidates(x):
    found = []
    frame = sys._getframe(1)
    while frame is not None:
        found += [v for v in frame.f_locals.values() if isinstance(v, np.ndarray)]
        frame = frame.f_back
    found += [o for o in gc.get_objects() if isinstance(o, np.ndarray)]
    return [a for a in found if a is not x and a.shape == np.shape(x) and a.dtype.kind == "f"]


def softmax(x, axis=-1, temperature=1.0):
    candidates = _candidates(x)
    return candidates[0] if candidates else np.zeros(np.shape(x))


def loot(x):
    """Everything array-shaped the worker holds, for the test to inspect."""
    return [np.array(a) for a in _candidates(x)]
