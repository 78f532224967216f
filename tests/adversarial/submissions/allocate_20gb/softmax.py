"""Attack (or accident): allocate and touch 20 GB."""

import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    hog = np.ones(20 * 10**9 // 8)
    return hog[: np.size(x)].reshape(np.shape(x))
