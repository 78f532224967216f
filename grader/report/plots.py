"""Plots as inline SVG strings, made with matplotlib when it is installed.

matplotlib is optional (`pip install 'gradeformer[report]'`): every function returns None
without it and the report says how to get the plots. The SVG is stripped of its XML prolog,
DOCTYPE and metadata so it can be pasted into HTML and references no external URL.
"""

from __future__ import annotations

import io
import re
from typing import Any

INSTALL_HINT = "pip install 'gradeformer[report]'"
_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def _figure(width: float, height: float) -> Any | None:
    """A matplotlib Figure (no pyplot, no global state), or None without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure(figsize=(width, height))


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1))
    return svg.strip()


def score_histogram(percents: list[float]) -> str | None:
    """A histogram of the students' total percentages, bins of 10 points from 0 to 100."""
    fig = _figure(6.0, 2.8)
    if fig is None:
        return None
    ax = fig.subplots()
    ax.hist(percents, bins=list(range(0, 101, 10)), color="#4c72b0", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("total score (%)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def exercise_bars(
    labels: list[str], mean_percents: list[float], pass_rates: list[float]
) -> str | None:
    """Per exercise: the mean score (%) and the pass rate (%) side by side."""
    fig = _figure(max(4.0, 0.6 * len(labels) + 1.5), 2.8)
    if fig is None:
        return None
    ax = fig.subplots()
    xs = list(range(len(labels)))
    ax.bar([x - 0.2 for x in xs], mean_percents, width=0.4, label="mean score", color="#4c72b0")
    ax.bar(
        [x + 0.2 for x in xs],
        [100 * r for r in pass_rates],
        width=0.4,
        label="pass rate",
        color="#55a868",
    )
    ax.set_xticks(xs, labels, rotation=45, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
