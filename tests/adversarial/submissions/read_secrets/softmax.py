"""Attack: import the answer key or read it (and the grader's files) from disk."""

import os


def _try(action):
    try:
        return str(action())[:200]
    except BaseException as exc:
        return "failed: " + type(exc).__name__


def softmax(x, axis=-1, temperature=1.0):
    import reference.softmax_ops as ref  # the answer key, if visible

    return ref.softmax(x, axis=axis)


def snoop(project):
    return {
        "import reference": _try(lambda: __import__("reference").__file__),
        "import grader": _try(lambda: __import__("grader.grading").__file__),
        "list project": _try(lambda: sorted(os.listdir(project))),
        "read solution": _try(
            lambda: open(os.path.join(project, "solutions/03_softmax/softmax.py")).read()
        ),
        "list parent": _try(lambda: sorted(os.listdir(".."))),
        "list /tmp": _try(lambda: sorted(os.listdir("/tmp"))),
        "read /etc/passwd": _try(lambda: len(open("/etc/passwd").read())),
    }
