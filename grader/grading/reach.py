"""Which of a module's top-level definitions some names reach, read from its AST.

Used by the forbidden-call scan (only the code an exercise's functions can run is scanned,
`grader.grading.forbidden`) and by the release kit (a property check's functions and the
helpers they use, `grader.release.extract_functions`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping


def reached(defined: Mapping[str, ast.AST], names: Iterable[str]) -> list[str]:
    """The names of `defined` that `names` reach, in the order found: each of `names` that
    is defined, and every defined name used (an `ast.Name`) in a reached definition, and so
    on (a helper, a helper's helper). Names not in `defined` lead nowhere."""
    found: dict[str, None] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in found or name not in defined:
            continue
        found[name] = None
        todo.extend(n.id for n in ast.walk(defined[name]) if isinstance(n, ast.Name))
    return list(found)
