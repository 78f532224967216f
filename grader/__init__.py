"""gradeformer's grader: exercise specs, isolated workers, comparison, feedback and outputs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gradeformer")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
