"""
Where a result came from: package version, source commit, command, and hashes of the inputs.

Every number bioam writes for the docs carries this record, so that a reader
can tell which code, which settings and which data produced it.

Examples
--------
>>> record = provenance()
>>> sorted(record)
['argv', 'commit', 'date', 'inputs', 'python', 'uncommitted_changes', 'version']
"""

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timezone

from ._version import __version__

__all__ = ["provenance", "file_sha256", "portable_path"]


def file_sha256(path):
    """The SHA-256 of a file's bytes (hex), or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _git(*arguments):
    folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        return subprocess.run(["git", "-C", folder, *arguments], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def portable_path(path):
    """
    A path as a record that means the same on another machine.

    Inside the checkout: relative to it; inside the data directory:
    ``$BIOAM_DATA_DIR/...``; elsewhere: ``<outside>/`` with the folder and file name.

    Examples
    --------
    >>> portable_path('/somewhere/else/out.json')
    '<outside>/else/out.json'
    """
    from .datasets import data_directory

    text = os.fspath(path)
    if not os.path.isabs(text) and not text.startswith(".."):
        return text
    absolute = os.path.realpath(text)
    roots = [(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ""),
             (os.path.realpath(data_directory()), "$BIOAM_DATA_DIR/")]
    for root, prefix in roots:
        if absolute == root or absolute.startswith(root + os.sep):
            return prefix + os.path.relpath(absolute, root)
    return "<outside>/" + os.path.join(os.path.basename(os.path.dirname(absolute)),
                                       os.path.basename(absolute))


def provenance(inputs=(), argv=None):
    """
    The provenance record of a result.

    Parameters
    ----------
    inputs : iterable of str
        Files the result was computed from (model, data set); each is hashed.
    argv : list of str, optional
        The command (default ``sys.argv``).

    Returns
    -------
    dict
        ``version``, ``commit`` (the git commit of the package's checkout, None
        outside one), ``uncommitted_changes`` (whether the package's code, bioam/
        and setup.cfg, differed from it), ``argv``, ``inputs`` ({path: sha256}), paths as `portable_path` writes them, ``python``, ``date``.
    """
    commit = _git("rev-parse", "HEAD")
    # the package's own code, not the results a run writes into docs/
    status = (_git("status", "--porcelain", "--untracked-files=no", "--", "bioam", "setup.cfg")
              if commit else None)
    return {
        "version": __version__,
        "commit": commit,
        "uncommitted_changes": bool(status) if status is not None else None,
        "argv": [portable_path(arg) if os.sep in arg else arg
                 for arg in (sys.argv if argv is None else argv)],
        "inputs": {portable_path(path): file_sha256(path) for path in inputs},
        "python": sys.version.split()[0],
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
