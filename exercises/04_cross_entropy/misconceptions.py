"""Known mistakes in exercise 04, one bug each (instructor side; numpy and math only)."""

import numpy as np


def _log_probs(logits):
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _picked(values, targets):
    return np.take_along_axis(values, np.asarray(targets)[..., None], axis=-1)[..., 0]


def _probs_minus_onehot(logits, targets):
    p = np.exp(_log_probs(logits))
    onehot = np.zeros_like(p)
    np.put_along_axis(onehot, np.asarray(targets)[..., None], 1.0, axis=-1)
    return p - onehot


def cross_entropy_sum(logits, targets):
    """Adds the losses of the positions instead of averaging them."""
    return float(-_picked(_log_probs(logits), targets).sum())


def cross_entropy_log2(logits, targets):
    """Measures in bits (log base 2) instead of nats (natural log)."""
    return float(-_picked(_log_probs(logits), targets).mean() / np.log(2.0))


def cross_entropy_logits_as_probabilities(logits, targets):
    """Skips the softmax: takes -log of the raw logit of the target."""
    return float(-np.log(_picked(np.asarray(logits, dtype=float), targets)).mean())


def grad_not_divided(logits, targets):
    """softmax - onehot, without dividing by the number of positions N."""
    return _probs_minus_onehot(logits, targets)


def grad_divided_by_batch(logits, targets):
    """Divides by the first dimension only (B), not by all positions (B·T)."""
    return _probs_minus_onehot(logits, targets) / np.asarray(logits).shape[0]


def grad_divided_by_every_entry(logits, targets):
    """Divides by the number of entries N·C instead of the number of positions N."""
    return _probs_minus_onehot(logits, targets) / np.asarray(logits).size
