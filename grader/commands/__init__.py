"""One module per `gradeformer` sub-command; each defines a click command named `command`."""
