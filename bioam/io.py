"""
Reading and writing the ``.npz`` files of the command-line interface.

* weights: ``xi`` (N_v, N_h), optional ``xi_back`` (N_h, N_v), optional
  ``theta`` (scalar or N_h) and optional ``metadata`` (a JSON string);
* cues: ``cues`` (B, N_v);
* results: ``visible`` (B, N_v), ``hidden`` (B, N_h), ``h`` (B, N_h).

Files are read with ``allow_pickle=False`` and validated; every problem is a
one-line `BioamError`. Writes are atomic: a temporary file in the same folder
is renamed over the target, so a killed process never leaves half a file.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from .validation import BioamError, check_cues, check_theta, check_weights

__all__ = ["read_npz", "write_npz_atomic", "write_csv_atomic", "load_weights", "load_cues", "save_result"]


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
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as error:
        raise BioamError(f"{what} {path!r} is corrupt or not an .npz file ({error})") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise BioamError(
            f"{what} {path!r} has no array {missing[0]!r} (it holds: "
            f"{', '.join(sorted(arrays)) or 'nothing'})"
        )
    return arrays


def _write_atomic(path, suffix, write):
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp_", suffix=suffix)
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
    return path


def write_npz_atomic(path, compressed=True, **arrays):
    """
    Write arrays to ``path`` atomically (temporary file, then rename).

    Nothing at ``path`` is touched unless the whole file was written.
    """
    return _write_atomic(path, ".npz", lambda stream: (
        np.savez_compressed if compressed else np.savez)(stream, **arrays))


def write_csv_atomic(path, rows, columns):
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
    writer = csv.DictWriter(text, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return _write_atomic(path, ".csv", lambda stream: stream.write(text.getvalue().encode()))


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
