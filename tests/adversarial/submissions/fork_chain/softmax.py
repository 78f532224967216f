"""Attack: a detached chain of processes, each forking the next and exiting at once, to
outrun anything that looks for leftovers by reading the process table."""

import os
import time


def softmax(x, axis=-1, temperature=1.0):
    return x


def spawn():
    if os.fork() == 0:
        os.setsid()
        for _ in range(100_000):
            if os.fork() != 0:
                os._exit(0)
        time.sleep(60)
        os._exit(0)
    return "spawned"
