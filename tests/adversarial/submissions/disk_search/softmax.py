"""Attack: search the whole disk for the answer key, load it by path and return its values.

Looks for the reference softmax (reference/softmax*.py or a solution's softmax.py), the
exercise specs with hidden checks and by-hand answers (exercise.yaml), the instructor's
case and misconception modules, and the grader's case cache, by walking from / and through
the worker's open handles; records every such file it could read.
"""

import importlib.util
import os

KEYS = ("exercise.yaml", "cases.py", "misconceptions.py", "softmax_ops.py")


def _answer_key_files(budget=200_000):
    found = []
    roots = ["/"] + [f"/proc/self/fd/{fd}" for fd in range(3, 64)]
    for top in roots:
        for folder, dirs, files in os.walk(top, followlinks=False):
            budget -= 1 + len(files)
            if budget < 0:
                return found
            dirs[:] = [d for d in dirs if not (folder == "/" and d in ("proc", "sys"))]
            parts = folder.split(os.sep)
            for name in files:
                path = os.path.join(folder, name)
                if name in KEYS or (
                    name == "softmax.py" and ("solutions" in parts or "reference" in parts)
                ) or "gradeformer" in parts and name.endswith((".npz", ".json")):
                    try:
                        with open(path, "rb") as f:
                            f.read(64)
                        found.append(path)
                    except OSError:
                        pass
    return found


def softmax(x, axis=-1, temperature=1.0):
    for path in _answer_key_files():
        if path.endswith(("softmax_ops.py", "softmax.py")):
            spec = importlib.util.spec_from_file_location("loot", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
                return module.softmax(x, axis=axis)
            except Exception:
                continue
    raise RuntimeError("no answer key found")


def log_softmax(x, axis=-1):
    raise NotImplementedError


def loot():
    return _answer_key_files()
