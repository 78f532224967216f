"""Attack: start a detached process (own session) that outlives the worker."""

import subprocess
import sys


def softmax(x, axis=-1, temperature=1.0):
    return x


def spawn(marker):
    code = "import time; time.sleep(60)  # " + marker
    subprocess.Popen(
        [sys.executable, "-c", code],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    return marker
