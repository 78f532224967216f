"""`gradeformer export gradescope|github-actions`: files for the CI an instructor uses."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from grader.commands.grade import InputError, exercises_or_fail
from grader.spec.finding import SOURCE_EXERCISES


@click.group(name="export")
def command() -> None:
    """Write a Gradescope autograder or a GitHub Actions workflow.

    \b
    gradeformer export gradescope --out autograder.zip [--seed N] [--exercise NAME]...
    gradeformer export github-actions --out .github/workflows/grade.yml

    The Gradescope autograder's term seed sets the hidden inputs: without --seed a random
    one is chosen and printed (hidden inputs differ from term to term; pass --seed N to
    rebuild the same autograder)."""


@command.command(name="gradescope")
@click.option("--out", type=click.Path(path_type=Path), default=Path("autograder.zip"),
              show_default=True)  # fmt: skip
@click.option(
    "--seed",
    type=int,
    help="Term seed of hidden inputs (default: a new random one, printed: hidden inputs "
    "then differ from term to term; pass it again to rebuild the same autograder).",
)
@click.option("--exercise", "only", multiple=True, help="Grade only this exercise (repeatable).")
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=SOURCE_EXERCISES.parent,
    help="The gradeformer checkout to ship (default: this one).",
)
def gradescope(out: Path, seed: int | None, only: tuple[str, ...], source: Path) -> None:
    """An autograder zip that cannot silently give zeros.

    setup.sh (run once by Gradescope) installs gradeformer with the
    pinned versions of its dependencies, makes the answer key root-only and fails the build
    unless the bundled solutions score full marks; run_autograder grades
    /autograder/submission (hidden checks) into /autograder/results/results.json, and
    still writes one, saying why, when grading fails."""
    from grader.export.gradescope import build_autograder

    if not (source / "exercises").is_dir():
        raise InputError(
            f"{source} is not a gradeformer checkout (no exercises/ folder): the autograder "
            "ships the reference and the exercises; pass --source CHECKOUT"
        )
    exercises_or_fail(source / "exercises", only)  # a wrong name fails now, not on Gradescope
    if seed is None:
        seed = secrets.randbelow(999_999) + 1
        click.echo(
            f"term seed: {seed} (hidden inputs differ from other terms; "
            f"pass --seed {seed} to reproduce)"
        )
    else:
        click.echo(f"term seed: {seed}")
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
