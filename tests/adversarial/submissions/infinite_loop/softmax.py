"""Attack (or accident): never return."""


def softmax(x, axis=-1, temperature=1.0):
    while True:
        pass
