"""Attack: an object array of elements that compare equal to anything."""

import numpy as np


class Chameleon:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.0

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0


def softmax(x, axis=-1, temperature=1.0):
    out = np.empty(np.shape(x), dtype=object)
    out.flat = [Chameleon() for _ in range(out.size)]
    return out
