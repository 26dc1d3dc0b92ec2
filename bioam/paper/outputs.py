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

__all__ = ["write_figure_outputs", "write_tables", "jsonable"]


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


def write_tables(folder, tables=None, summaries=None, *, inputs=(), argv=None, settings=None,
                 provenance_name="provenance.json"):
    """
    Write a figure's CSV and JSON files, each JSON with its provenance, and the provenance record.

    Parameters
    ----------
    folder : str
        Created if missing.
    tables : dict, optional
        File name -> rows (list of dict; columns: the union of the rows' keys, in
        order of appearance). Empty tables are not written.
    summaries : dict, optional
        File name -> dict, written as JSON with a ``provenance`` entry.
    inputs : sequence of str
        The model and data files (hashed into the provenance).
    argv : list of str, optional
        The command (default ``sys.argv``).
    settings : dict, optional
        Recorded in the provenance.
    provenance_name : str
        File name of the provenance record.

    Returns
    -------
    list of str
        The paths written.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> paths = write_tables(folder, {"t.csv": [{"a": 1}, {"a": 2, "b": 3}]})
    >>> open(os.path.join(folder, "t.csv")).read().split()
    ['a,b', '1,', '2,3']
    """
    os.makedirs(folder, exist_ok=True)
    record = provenance(list(inputs), argv=list(sys.argv if argv is None else argv))
    record["settings"] = jsonable(settings or {})
    written = []
    for name, rows in (tables or {}).items():
        if not rows:
            continue
        columns = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        written.append(write_csv_atomic(os.path.join(folder, name), rows, columns))
    for name, summary in (summaries or {}).items():
        written.append(write_json_atomic(os.path.join(folder, name),
                                         dict(jsonable(summary), provenance=record)))
    written.append(write_json_atomic(os.path.join(folder, provenance_name), record))
    return written


def write_figure_outputs(folder, stem, *, rows, summary=None, draw=None, inputs=(), argv=None,
                         settings=None):
    """
    Write ``STEM.csv`` (rows), ``STEM_summary.csv``, ``STEM.png`` and ``STEM_provenance.json``.

    The capacity figures' layout of `write_tables`.

    Parameters
    ----------
    folder : str
        Created if missing.
    stem : str
    rows : list of dict
        The measurements, one per row.
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
    figure = []
    if draw is not None:
        figure = [os.path.join(folder, f"{stem}.png")]
        draw(figure[0])
    written = write_tables(folder, {f"{stem}.csv": rows, f"{stem}_summary.csv": summary},
                           inputs=inputs, argv=argv, settings=settings,
                           provenance_name=f"{stem}_provenance.json")
    return written[:-1] + figure + written[-1:]
