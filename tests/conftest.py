"""Project-wide test set-up.

Tiny matrices run several times faster on one BLAS thread than on many, and the grader's
workers pin their threads to 1 anyway. This must run before anything imports NumPy, which is
why it lives in the root conftest.
"""

from collections.abc import Iterator

import pytest

from grader.threads import use_one_blas_thread

use_one_blas_thread()


@pytest.fixture(autouse=True)
def no_inherited_probes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Class grading hands its isolation probes to its processes through the environment;
    run in-process by a test, it would hand them to every later test too."""
    from grader.sandbox.isolation import PROBES_ENV

    monkeypatch.setenv(PROBES_ENV, "{}")  # what an absent variable means; removed afterwards
    yield
