"""Attack: make every comparison helper and builtin say "equal", then return zeros."""

import builtins

import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
builtins.isinstance = lambda obj, cls: True
builtins.abs = lambda value: 0.0
builtins.max = lambda *a, **k: 0.0


def softmax(x, axis=-1, temperature=1.0):
    return np.zeros(np.shape(x))
