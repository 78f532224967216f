"""Known mistakes in exercise 03, one bug each (instructor side; numpy and math only)."""

import numpy as np


def softmax_no_max_shift(x, axis=-1, temperature=1.0):
    """exp of the raw logits: overflows to inf (and inf / inf = nan) for large logits."""
    e = np.exp(np.asarray(x, dtype=float) / temperature)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_ignores_axis(x, axis=-1, temperature=1.0):
    """Always normalises over the last axis, whatever `axis` says."""
    z = np.asarray(x, dtype=float) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_temperature_multiplied(x, axis=-1, temperature=1.0):
    """Multiplies the logits by the temperature instead of dividing."""
    z = np.asarray(x, dtype=float) * temperature
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_log_of_softmax(x, axis=-1):
    """log(softmax(x)): log(0) = -inf wherever a probability underflows."""
    z = np.asarray(x, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return np.log(e / e.sum(axis=axis, keepdims=True))


def log_softmax_no_max_shift(x, axis=-1):
    """x - log(sum(exp(x))) without the max shift: log(inf) for large logits."""
    z = np.asarray(x, dtype=float)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
