"""`gradeformer release --out DIR`: build the student kit (no answers inside)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.grade import InputError, exercises_or_fail


@click.command(name="release")
@click.option("--out", "dest", type=click.Path(path_type=Path), required=True, help="New folder.")
@click.option("--exercises", "exercises_dir", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of public inputs.")
def command(dest: Path, exercises_dir: Path | None, seed: int) -> None:
    """Write the student kit to DEST: READMEs, stubs, answers.yaml, public checks with their
    fixtures and the grader, installable with `pip install -e DEST`; no reference, solutions,
    hidden checks or misconceptions."""
    from grader.release import build_kit

    exercises = exercises_or_fail(exercises_dir)
    try:
        build_kit(dest, exercises, seed)
    except FileExistsError as exc:
        raise InputError(str(exc)) from None
    click.echo(f"student kit for {len(exercises)} exercises in {dest}")
    click.echo(f"students: pip install -e {dest} && gradeformer check")
