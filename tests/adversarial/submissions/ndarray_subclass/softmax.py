"""Attack: an ndarray subclass whose comparisons and ufuncs always say "close"."""

import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(self.shape) if ufunc is np.subtract else np.ones(self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


def softmax(x, axis=-1, temperature=1.0):
    return np.zeros(np.shape(x)).view(Agreeable)
