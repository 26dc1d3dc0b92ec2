"""
Writing a reproduced figure: its rows, its summary, its image and its provenance.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> paths = write_figure_outputs(folder, "demo", rows=[{"x": 1, "y": 2}])
>>> sorted(os.path.basename(path) for path in paths)
['demo.csv', 'demo_provenance.json']
"""

import os
import sys

from ..io import write_csv_atomic, write_json_atomic
from ..provenance import provenance

__all__ = ["write_figure_outputs", "jsonable"]


def jsonable(value):
    """A value as plain JSON: numpy scalars and arrays as numbers and lists, other objects as text."""
    import numpy as np
    from brian2 import Quantity

    if isinstance(value, Quantity):
        return str(value)  # with its unit ('200. ms'), not the bare number in seconds
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return str(value)


def write_figure_outputs(folder, stem, *, rows, summary=None, draw=None, inputs=(), argv=None,
                         settings=None):
    """
    Write ``STEM.csv`` (rows), ``STEM_summary.csv``, ``STEM.png`` and ``STEM_provenance.json``.

    Parameters
    ----------
    folder : str
        Created if missing.
    stem : str
    rows : list of dict
        The measurements, one per row (columns: the first row's keys).
    summary : list of dict, optional
        What the figure draws (e.g. means over seeds).
    draw : callable, optional
        ``draw(path)`` writes the figure.
    inputs : sequence of str
        Files the result was computed from (hashed into the provenance).
    argv : list of str, optional
        The command (default: ``sys.argv``).
    settings : dict, optional
        The figure's settings, recorded with the provenance.

    Returns
    -------
    list of str
        The paths written.
    """
    os.makedirs(folder, exist_ok=True)
    written = [write_csv_atomic(os.path.join(folder, f"{stem}.csv"), rows, list(rows[0]))]
    if summary:
        written.append(write_csv_atomic(os.path.join(folder, f"{stem}_summary.csv"), summary,
                                        list(summary[0])))
    if draw is not None:
        path = os.path.join(folder, f"{stem}.png")
        draw(path)
        written.append(path)
    record = provenance(list(inputs), argv=list(sys.argv if argv is None else argv))
    record["settings"] = jsonable(settings or {})
    written.append(write_json_atomic(os.path.join(folder, f"{stem}_provenance.json"), record))
    return written
