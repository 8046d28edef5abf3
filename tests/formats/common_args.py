"""The command line every format check takes: `check_<format>.py [--corpus] OUT_DIR NATIVE_FILE...`
(run.sh runs each check_*.py so; this module is not one)."""

import pathlib


def parse(args, usage):
    """(whether --corpus, OUT_DIR, the native files) of a check's arguments; None, with `usage`
    printed, when there are too few."""
    corpus = args[:1] == ["--corpus"]
    args = args[1:] if corpus else args
    if len(args) < 2:
        print(usage)
        return None
    return corpus, pathlib.Path(args[0]), list(args[1:])
