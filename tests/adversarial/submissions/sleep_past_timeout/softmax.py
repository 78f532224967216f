"""Attack (or accident): sleep past the wall-clock timeout (uses no CPU)."""

import time


def softmax(x, axis=-1, temperature=1.0):
    time.sleep(3600)
