"""Attack: start a detached process (own session) that outlives the worker."""

import subprocess


def softmax(x, axis=-1, temperature=1.0):
    return x


def spawn(marker):
    subprocess.Popen(
        ["/bin/sh", "-c", "while :; do sleep 1; done  # " + marker],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    return marker
