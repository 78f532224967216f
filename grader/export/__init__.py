"""Exports that plug gradeformer into the CI an instructor already uses.

- `grader.export.gradescope`: an autograder zip (setup.sh, run_autograder, the package with
  its reference and exercises, pinned dependency versions, the solutions) that grades every
  Gradescope submission with hidden checks; setup.sh fails the build unless the solutions
  score full marks there, and run_autograder always leaves a results.json.
- `grader.export.github`: a GitHub Actions workflow for the students' repositories (the
  release kit) that runs the public checks on every push and uploads the JSON result.
"""
