"""Exercise 04: the cross-entropy loss of a language model, and its gradient.

You may import your own exercise 03: `from softmax import softmax, log_softmax`.
"""

import numpy as np


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean negative log-likelihood of the targets, natural log:

        L = -(1/N) sum_n log softmax(logits[n])[targets[n]]

    Shapes: logits (..., C), targets (...) of int class ids -> a Python float. N is the
    number of positions (the product of the leading dimensions). Raise ValueError when
    targets does not have the leading shape of logits.

    >>> logits = np.log(np.array([[0.9, 0.05, 0.05]]))   # softmax gives back [0.9, 0.05, 0.05]
    >>> round(cross_entropy(logits, np.array([0])), 3)     # -log 0.9
    0.105
    """
    raise NotImplementedError


def cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The gradient of cross_entropy(logits, targets) with respect to the logits:

        dL/dlogits[n] = (softmax(logits[n]) - onehot(targets[n])) / N

    Shapes: logits (..., C), targets (...) -> (..., C).

    >>> cross_entropy_grad(np.zeros((2, 2)), np.array([0, 1]))
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    raise NotImplementedError
