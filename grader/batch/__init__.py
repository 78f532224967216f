"""Class grading: every student's submission graded in parallel, resumably, atomically.

A class is a folder whose children are submissions: each child folder, `.zip` or `.ipynb`
is one student, whose id is the child's name without `.zip` / `.ipynb`. Hidden entries (``.git``,
``__MACOSX``), other files, the results folder itself and symlinks that point outside the
class folder are not graded; they are listed in `BatchSummary.ignored`. Two children that
would give the same id (``alice/`` and ``alice.zip``, or names equal up to case and Unicode
normalisation, which collide on macOS and Windows disks) stop the batch before anything is
graded; names that differ only in their Unicode form are shown escaped as well, since they
look identical.

Each result is written as ``<out_dir>/<student>.json`` (`SubmissionResult.to_dict()`)
through a temporary file in the same folder, flushed to disk and renamed over the target,
so a result file is either absent or complete. A rerun skips every student whose result
exists, parses, has no submission-level `error` (a refused zip, a grading crash, a killed
grading process: regraded, as the cause may be gone) and was graded from the same files
(`submission_sha256`, a fingerprint of the submission: a student who resubmitted is
regraded) with the same mode, seed and exercises at an isolation level at least as strong
as this run's (bwrap > unshare > rlimits), unless `force`. A run
killed at any point therefore resumes with nothing lost and nothing graded twice; the
``.*.tmp`` files a killed run leaves are never read, and the next run removes them.

The modules:

- `run`: `grade_class`, a class graded into result files, and whether a stored result stands;
- `class_folder`: `find_submissions`, the students of a class folder and what is ignored;
- `result_files`: reading a stored result and writing one atomically;
- `summary`: `BatchSummary`, what a run did; `errors`: `BatchError`.
"""

from __future__ import annotations

from grader.batch.errors import BatchError
from grader.batch.run import grade_class
from grader.batch.summary import BatchSummary

__all__ = ["BatchError", "BatchSummary", "grade_class"]
