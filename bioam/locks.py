"""
Output locks: one bioam process at a time writes a given output file.

Two commands that write the same file (two trainings with the same ``--out``)
would both report success while one result is lost. Each command therefore
holds an exclusive lock on every output it will write, from before any work
until it ends, and a second command is refused at once with the first one's
process id. The locks are `fcntl.flock` locks on a small file beside each
output (``.NAME.bioam-lock``): the operating system releases them when the
holder exits, even after a SIGKILL, so a lock can never outlive its process; the
lock file itself is removed when the lock is released, and a file left by a
killed process is taken over and removed by the next command.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
>>> with OutputLocks([path]):
...     with OutputLocks([path]):
...         pass
Traceback (most recent call last):
...
bioam.validation.BioamError: another bioam process (pid ...) is writing ...
"""

import fcntl
import os

from .validation import BioamError

__all__ = ["OutputLocks", "lock_path"]

SUFFIX = ".bioam-lock"


def lock_path(path):
    """The lock file of an output: ``.NAME.bioam-lock`` in the output's folder."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    return os.path.join(folder, f".{name}{SUFFIX}")


class OutputLocks:
    """
    Exclusive locks on output files, held from `acquire` to `release`.

    Parameters
    ----------
    paths : iterable of str
        The outputs (files; their folders must exist or be creatable).
    """

    def __init__(self, paths):
        self.paths = sorted({os.path.abspath(os.fspath(path)) for path in paths if path})
        self._held = []

    def acquire(self):
        """Lock every output, or release what was taken and raise `BioamError`."""
        try:
            for path in self.paths:
                self._held.append(self._lock(path))
        except BaseException:
            self.release()
            raise
        return self

    @staticmethod
    def _lock(path):
        name = lock_path(path)
        os.makedirs(os.path.dirname(name), exist_ok=True)
        while True:
            descriptor = os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = os.pread(descriptor, 64, 0).decode(errors="replace").strip() or "?"
                os.close(descriptor)
                raise BioamError(
                    f"another bioam process (pid {owner}) is writing {path}; wait for it to "
                    "finish or choose another output") from None
            # the holder before us may have removed the file after we opened it: the lock
            # counts only if it is on the file that is at the path now
            try:
                current = os.stat(name)
            except FileNotFoundError:
                os.close(descriptor)
                continue
            if os.path.samestat(current, os.fstat(descriptor)):
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, str(os.getpid()).encode(), 0)
                return name, descriptor
            os.close(descriptor)

    def release(self):
        """Remove the lock files and release the locks (safe to call twice)."""
        while self._held:
            name, descriptor = self._held.pop()
            try:
                os.unlink(name)  # while still locked: no one else holds this file
            except FileNotFoundError:
                pass
            os.close(descriptor)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()
        return False
