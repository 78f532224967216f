"""Attack: a lazy object whose __float__/__array__ lie differently on every call."""

import itertools

_counter = itertools.count()


class Lazy:
    def __float__(self):
        return float(next(_counter))

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        return np.full(3, float(next(_counter)))

    def __eq__(self, other):
        return True


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def softmax(x, axis=-1, temperature=1.0):
    return Lazy()


def log_softmax(x, axis=-1):
    return LyingFloat(0.0)
