"""
Reading and writing the ``.npz`` files of the command-line interface.

* weights: ``xi`` (N_v, N_h), optional ``xi_back`` (N_h, N_v), optional
  ``theta`` (scalar or N_h) and optional ``metadata`` (a JSON string);
* cues: ``cues`` (B, N_v);
* results: ``visible`` (B, N_v), ``hidden`` (B, N_h), ``h`` (B, N_h).

Files are read with ``allow_pickle=False`` and validated; every problem is a
one-line `BioamError`. Writes are atomic: a temporary file with a unique name
in the same folder is renamed over the target, so a killed process never
leaves half a file, and temporaries of killed writers are removed by the next
write to that folder, or the next `check_output_paths` of an output there.
`check_output_paths` refuses, before any work, outputs that cannot be written
or that are the same file as an input.
"""

import json
import os
import re
import socket
import tempfile
import time
import zipfile
import zlib

import numpy as np

from .validation import BioamError, check_cues, check_theta, check_weights

__all__ = ["read_npz", "write_npz_atomic", "write_csv_atomic", "write_json_atomic",
           "check_output_paths", "remove_orphans", "load_weights", "load_cues", "save_result"]


def read_npz(path, required=(), what="file"):
    """
    Read every array of an ``.npz`` file, without pickles.

    Parameters
    ----------
    path : str or Path
    required : sequence of str
        Keys that must be present.
    what : str
        What the file is, for error messages ('weights file', ...).

    Returns
    -------
    dict of ndarray
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise BioamError(f"{what} {path!r} does not exist")
    if os.path.isdir(path):
        raise BioamError(f"{what} {path!r} is a folder; give a .npz file")
    if not zipfile.is_zipfile(path):
        # np.load falls back to unpickling anything that is not a zip or .npy
        raise BioamError(f"{what} {path!r} is corrupt or not an .npz file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise BioamError(
                f"{what} {path!r} holds a pickled object array, which bioam does not "
                "load; save plain numeric arrays with numpy.savez"
            ) from None
        raise BioamError(f"{what} {path!r} is corrupt or not an .npz file ({error})") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError, zlib.error) as error:
        # zlib.error: a compressed member whose deflate stream is damaged
        raise BioamError(f"{what} {path!r} is corrupt or not an .npz file ({error})") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise BioamError(
            f"{what} {path!r} has no array {missing[0]!r} (it holds: "
            f"{', '.join(sorted(arrays)) or 'nothing'})"
        )
    return arrays


#: Temporary files of `_write_atomic` are named ``.tmp_bioam_<host>_<pid>_<random><suffix>``
#: in the target's folder: a kill leaves one behind, and a later write to the same folder (or
#: a check of an output there) removes it once its writer is gone (see `remove_orphans`).
TEMPORARY_PREFIX = ".tmp_bioam_"
ORPHAN_AGE_SECONDS = 3600.0
_ORPHAN = re.compile(r"^\.tmp_bioam_([0-9a-f]{8})_(\d+)_[A-Za-z0-9_]+\.[A-Za-z0-9]+$")
#: names of earlier versions (``.tmp_<random><suffix>``), removed when old
_LEGACY_ORPHAN = re.compile(r"^\.tmp_[a-z0-9_]{8}\.(npz|csv|png|json|pdf|svg)$")


def _host_tag():
    return f"{zlib.crc32(socket.gethostname().encode()):08x}"


def _temporary_prefix():
    return f"{TEMPORARY_PREFIX}{_host_tag()}_{os.getpid()}_"


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process
    return True


def remove_orphans(folder, max_age=ORPHAN_AGE_SECONDS):
    """
    Delete temporary files left in ``folder`` by writes that were killed.

    A file is removed when its name is a temporary of `_write_atomic` and its
    writer, a process of this machine, no longer runs; a temporary of another
    machine (a shared folder) or of an earlier bioam version, when it was last
    modified more than ``max_age`` seconds ago. Problems are ignored.

    Returns
    -------
    list of str
        The files removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now, host = time.time(), _host_tag()
    for entry in entries:
        match = _ORPHAN.match(entry.name)
        if match is None and not _LEGACY_ORPHAN.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if match is not None and match.group(1) == host:  # a writer of this machine
                pid = int(match.group(2))
                remove = pid != os.getpid() and not _process_alive(pid)
            else:  # another machine's (shared folder) or an earlier version's
                remove = now - entry.stat(follow_symlinks=False).st_mtime > max_age
            if remove:
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:
            continue
    return removed


def _write_atomic(path, suffix, write):
    """
    Call ``write(stream)`` on a temporary file beside ``path``, then rename it to ``path``.

    The temporary file has a name no other writer uses (`TEMPORARY_PREFIX`, this
    process's id, a random part) and is deleted if ``write`` fails, so ``path``
    holds either its old content or the whole new file; the file and then its
    folder are synced, so the rename survives a power cut. A target folder that
    cannot be created or written is a one-line `BioamError`; an error while
    writing (a full disk) is raised as it is.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise BioamError(f"cannot write {path!r}: it is a folder; give a file name")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise BioamError(f"cannot create the output folder {folder!r} for {path!r} "
                         f"({error.strerror}); give another path") from None
    remove_orphans(folder)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=_temporary_prefix(),
                                             suffix=suffix)
    except OSError as error:
        raise BioamError(f"cannot write {path!r}: the folder {folder!r} is not writable "
                         f"({error.strerror}); give another path") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; use the usual mode
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return path


def _sync_folder(folder):
    """Make a rename in ``folder`` durable (a power cut keeps the new name), where the OS can."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:  # file systems that cannot sync a folder
        pass
    finally:
        os.close(handle)


def link_aside(path):
    """
    Keep the current file at ``path`` under a temporary name in its folder.

    Used to put back a good file (a checkpoint) that a failed run replaced: a
    hard link where the file system allows it, else a copy. The name is a
    temporary of `_write_atomic`, so a kill leaves it to `remove_orphans`.

    Returns
    -------
    str
        The temporary name; ``os.replace`` it onto ``path`` to restore, or delete it.
    """
    import secrets
    import shutil

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1] or ".bak"
    for _ in range(100):
        aside = os.path.join(folder, f"{_temporary_prefix()}{secrets.token_hex(6)}{suffix}")
        try:
            os.link(path, aside)
            return aside
        except FileExistsError:
            continue
        except OSError:  # no hard links here: copy
            handle, aside = tempfile.mkstemp(dir=folder, prefix=_temporary_prefix(),
                                             suffix=suffix)
            os.close(handle)
            try:
                shutil.copyfile(path, aside)
            except BaseException:
                os.unlink(aside)
                raise
            return aside
    raise BioamError(f"cannot keep a copy of {path!r} in {folder!r}; give another path")


def write_npz_atomic(path, compressed=True, **arrays):
    """
    Write arrays to ``path`` atomically (temporary file, then rename).

    Nothing at ``path`` is touched unless the whole file was written.
    """
    return _write_atomic(path, ".npz", lambda stream: (
        np.savez_compressed if compressed else np.savez)(stream, **arrays))


def write_csv_atomic(path, rows, columns, lineterminator="\n"):
    """
    Write ``rows`` (dicts) as a CSV file with ``columns``, atomically.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'table.csv')
    >>> _ = write_csv_atomic(path, [{'a': 1, 'b': 0.5}], ['a', 'b'])
    >>> open(path).read().split()
    ['a,b', '1,0.5']
    """
    import csv
    import io

    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(columns), lineterminator=lineterminator)
    writer.writeheader()
    writer.writerows(rows)
    return _write_atomic(path, ".csv", lambda stream: stream.write(text.getvalue().encode()))


def write_json_atomic(path, value, indent=2):
    """Write ``value`` as JSON to ``path``, atomically."""
    text = json.dumps(value, indent=indent)
    return _write_atomic(path, ".json", lambda stream: stream.write(text.encode()))


def _labelled(paths):
    """``(label, path)`` pairs from a dict or a sequence of pairs; None paths are left out."""
    items = paths.items() if isinstance(paths, dict) else (paths or ())
    pairs = []
    for label, path in items:
        if path is None:
            continue
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise BioamError(f"{label} must be a file path, got {path!r}")
        pairs.append((label, os.fsdecode(path)))
    return pairs


def _identity(path):
    """The file a path names: device and inode when it exists, else its resolved path."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return ("path", os.path.realpath(os.path.abspath(path)))
    return ("file", info.st_dev, info.st_ino)


def _check_folder(folder, label, path):
    """Refuse an output folder that does not exist and cannot be created, or is not writable."""
    ancestor = folder
    while not os.path.isdir(ancestor):
        if os.path.lexists(ancestor):
            raise BioamError(f"{label} {path!r}: cannot create the output folder {folder!r} "
                             f"because {ancestor!r} is a file, not a folder; give another "
                             f"{label}")
        parent = os.path.dirname(ancestor)
        if parent == ancestor:
            break
        ancestor = parent
    try:  # os.access is not enough: root, read-only file systems, ACLs
        handle, probe = tempfile.mkstemp(dir=ancestor, prefix=_temporary_prefix(),
                                         suffix=".probe")
    except OSError as error:
        where = (f"the output folder {folder!r}" if ancestor == folder else
                 f"the folder {ancestor!r}, where the output folder {folder!r} would be created,")
        raise BioamError(f"{label} {path!r}: {where} is not writable ({error.strerror}); give "
                         f"another {label} in a folder you can write to") from None
    os.close(handle)
    os.unlink(probe)


def check_output_paths(outputs, inputs=()):
    """
    Refuse, before any work, output paths that cannot be written or would destroy data.

    Each output must be a non-empty path; not a folder, a device or a pipe; in a
    folder that exists or can be created and that is writable (checked by
    creating and deleting a temporary file there); not the same file as any
    input (compared by device and inode, so links and different spellings of a
    path are caught); and not the same file as another output. Temporaries that
    killed writers left in the output folders are removed (`remove_orphans`),
    also where this run will write nothing (a resumed training whose epochs
    are all done writes no checkpoint).

    Parameters
    ----------
    outputs : dict or sequence of (label, path)
        The files a command will write, each with the option or argument that
        named it (``'--out'``), for the messages. None paths are skipped.
    inputs : dict or sequence of (label, path)
        The files it reads (data sets, models, cues, a checkpoint resumed from).

    Raises
    ------
    BioamError
        One line naming the path, the problem and the fix.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> model = os.path.join(folder, 'M.npz')
    >>> open(model, 'wb').close()
    >>> check_output_paths([('--out', os.path.join(folder, 'new', 'R.npz'))], [('--model', model)])
    >>> check_output_paths([('--json', model)], [('--model', model)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bioam.validation.BioamError: --json '...M.npz' is the same file as --model '...M.npz'; ...
    """
    inputs = [(label, path, _identity(path)) for label, path in _labelled(inputs)]
    checked, folders = [], set()
    for label, path in _labelled(outputs):
        if not path.strip():
            raise BioamError(f"{label} is empty; give a file name")
        if os.path.isdir(path):
            raise BioamError(f"{label} {path!r} is a folder, not a file; remove the folder or "
                             f"give another {label}")
        if os.path.exists(path) and not os.path.isfile(path):
            raise BioamError(f"{label} {path!r} is not a regular file (a device, pipe or "
                             f"socket), which bioam would replace; give another {label}")
        key = _identity(path)
        for input_label, input_path, input_key in inputs:
            if key == input_key:
                raise BioamError(f"{label} {path!r} is the same file as {input_label} "
                                 f"{input_path!r}; writing it would destroy that input; give "
                                 f"another {label}")
        for other_label, other_path, other_key in checked:
            if key == other_key:
                raise BioamError(f"{label} {path!r} and {other_label} {other_path!r} are the "
                                 "same file, so one result would overwrite the other; give "
                                 "different paths")
        checked.append((label, path, key))
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in folders:
            _check_folder(folder, label, path)
            remove_orphans(folder)
            folders.add(folder)


def load_weights(path):
    """
    Load and validate a weights (or model) file.

    Returns
    -------
    dict
        ``xi``, ``xi_back`` (None for symmetric weights), ``theta`` (None when
        the file has none) and ``metadata`` (a dict, empty when absent).
    """
    arrays = read_npz(path, required=("xi",), what="weights file")
    try:
        xi, xi_back = check_weights(arrays["xi"], arrays.get("xi_back"))
        theta = None
        if "theta" in arrays:
            theta = check_theta(arrays["theta"], xi.shape[1])
    except BioamError as error:
        raise BioamError(f"weights file {os.fspath(path)!r}: {error}") from None
    metadata = {}
    if "metadata" in arrays:
        try:
            metadata = json.loads(str(arrays["metadata"]))
        except json.JSONDecodeError:
            raise BioamError(f"weights file {os.fspath(path)!r}: metadata is not valid JSON") from None
    return {
        "xi": xi,
        "xi_back": xi_back if "xi_back" in arrays else None,
        "theta": theta,
        "metadata": metadata,
    }


def load_cues(path, n_visible):
    """Load and validate a cues file; returns an array of shape (B, N_v)."""
    arrays = read_npz(path, required=("cues",), what="cues file")
    try:
        return check_cues(arrays["cues"], n_visible)
    except BioamError as error:
        raise BioamError(f"cues file {os.fspath(path)!r}: {error}") from None


def save_result(path, result):
    """Write a `RecallResult` as ``visible``, ``hidden`` (0/1 for step) and ``h``."""
    return write_npz_atomic(path, visible=result.visible, hidden=result.hidden, h=result.h)
