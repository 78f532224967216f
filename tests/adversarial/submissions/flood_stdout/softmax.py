"""Attack: write 1 GB to stdout."""

import sys


def softmax(x, axis=-1, temperature=1.0):
    block = "x" * 2**20
    for _ in range(1024):
        sys.stdout.write(block)
    return x
