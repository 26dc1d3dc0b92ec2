"""
Progress reports of long computations (recall, training, capacity, comparisons).

Library functions never ``print``. Each takes a ``progress`` argument, like the
``report`` argument of Brian2's ``run``:

* ``False`` or ``None``: no output;
* ``True``: one line per step on standard error;
* a callable: called with each line (a ``str`` without a newline), e.g. to
  show it in a notebook, a GUI or a log of one's own.

Every line is also sent to Brian2's logger (``brian2.bioam.<module>.progress``,
level ``debug``), so it lands in Brian2's debug log whatever ``progress`` is.

Examples
--------
>>> lines = []
>>> report = progress_reporter(lines.append, 'bioam.example')
>>> report('step 1/2')
>>> lines
['step 1/2']
>>> progress_reporter(False, 'bioam.example')('not shown')
"""

import sys

import numpy as np
from brian2.utils.logger import get_logger

from .validation import BioamError

__all__ = ["progress_reporter", "to_stderr"]


def to_stderr(line):
    """Write one progress line to standard error (what ``progress=True`` does)."""
    stream = sys.stderr
    stream.write(f"{line}\n")
    stream.flush()


def progress_reporter(progress, name):
    """
    A function of one line from a ``progress`` argument.

    Parameters
    ----------
    progress : bool, None or callable
        See the module's description.
    name : str
        Logger name, usually the calling module's ``__name__``.

    Returns
    -------
    callable
        ``report(line)``; its attribute ``enabled`` says whether lines are shown.
    """
    if progress is None or isinstance(progress, (bool, np.bool_)):
        target = to_stderr if progress else None
    elif callable(progress):
        target = progress
    else:
        raise BioamError(f"progress must be True, False or a function of one line, got "
                         f"{progress!r}")
    logger = get_logger(name)

    def report(line):
        logger.debug(line, "progress")
        if target is not None:
            target(line)

    report.enabled = target is not None
    return report
