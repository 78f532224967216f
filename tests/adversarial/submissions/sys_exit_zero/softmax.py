"""Attack: end the worker "successfully" before returning."""

import sys


def softmax(x, axis=-1, temperature=1.0):
    sys.exit(0)
