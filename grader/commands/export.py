"""`gradeformer export gradescope|github-actions`: files for the CI an instructor uses."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError
from grader.spec import SOURCE_EXERCISES


@click.group(name="export")
def command() -> None:
    """Write a Gradescope autograder or a GitHub Actions workflow."""


@command.command(name="gradescope")
@click.option("--out", type=click.Path(path_type=Path), default=Path("autograder.zip"),
              show_default=True)  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Term seed of hidden inputs.")
@click.option("--exercise", "only", multiple=True, help="Grade only this exercise (repeatable).")
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=SOURCE_EXERCISES.parent,
    help="The gradeformer checkout to ship (default: this one).",
)
def gradescope(out: Path, seed: int, only: tuple[str, ...], source: Path) -> None:
    """An autograder zip: setup.sh installs gradeformer with its reference, run_autograder
    grades /autograder/submission (hidden checks) into /autograder/results/results.json."""
    from grader.export.gradescope import build_autograder

    try:
        build_autograder(out, source, seed, only)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    click.echo(f"autograder written to {out}: upload it in Gradescope's Configure Autograder")


@command.command(name="github-actions")
@click.option("--out", type=click.Path(path_type=Path),
              default=Path(".github/workflows/grade.yml"), show_default=True)  # fmt: skip
@click.option("--python", default="3.11", show_default=True, help="Python version to run.")
@click.option("--install", default="pip install -e .", show_default=True,
              help="Shell command installing gradeformer in the student's repository.")  # fmt: skip
def github_actions(out: Path, python: str, install: str) -> None:
    """A workflow for students' repositories (the release kit): `gradeformer check` on every
    push, the JSON result uploaded as the artifact gradeformer-result."""
    from grader.export.github import write_workflow

    write_workflow(out, python, install)
    click.echo(f"workflow written to {out}")
