"""
Saving and loading trained networks as weights files with a description.

A model file is a weights file of `bioam.io` (``xi``, optional ``xi_back``,
``theta``) with a ``metadata`` entry: a JSON object that says how the
weights were made (data set, sizes, seed, epochs, sigmoid steepness, final
loss, bioam version, date). Files are written atomically, so a failed save
never damages an existing file, and every problem on loading is a one-line
`BioamError`.
"""

import json
import os
from datetime import datetime, timezone

import numpy as np

from ._version import __version__
from .io import load_weights, write_npz_atomic
from .validation import BioamError, check_theta, check_weights

__all__ = ["save_model", "load_model", "model_theta", "DEFAULT_THETA", "METADATA_KEYS"]

#: Keys always present in the metadata written by `save_model`.
METADATA_KEYS = ("dataset", "n_visible", "n_hidden", "seed", "epochs", "steepness",
                 "final_loss", "version", "date")


def _float_array(name, value):
    """float32 stays float32, anything else becomes float64."""
    array = np.asarray(value)
    if np.iscomplexobj(array):
        raise BioamError(f"{name} holds complex numbers; give real numbers (float)")
    try:
        return np.array(array, dtype=np.float32 if array.dtype == np.float32 else np.float64)
    except (TypeError, ValueError):
        raise BioamError(f"{name} must be numeric, got {array.dtype}") from None


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def save_model(path, xi, theta, xi_back=None, metadata=None):
    """
    Write a trained network to an ``.npz`` model file, atomically.

    Parameters
    ----------
    path : str or Path
    xi : array-like, shape (N_v, N_h)
    theta : float or array-like, shape (N_h,)
        Stored as a scalar for one global threshold, else one value per neuron.
    xi_back : array-like, shape (N_h, N_v), optional
        Backward weights of an asymmetric network.
    metadata : dict, optional
        Description of the training, e.g. ``TrainedModel.metadata(dataset)``.
        The keys of `METADATA_KEYS` are always written: ``n_visible``,
        ``n_hidden``, ``version`` and ``date`` (UTC, ISO 8601) are filled in
        here, the others are None unless given.

    Returns
    -------
    str
        The path written.
    """
    checked_xi, _ = check_weights(xi, xi_back)
    n_visible, n_hidden = checked_xi.shape
    theta_array = np.asarray(theta)
    check_theta(theta_array, n_hidden)
    if metadata is not None and not isinstance(metadata, dict):
        raise BioamError(f"metadata must be a dict, got {type(metadata).__name__}")
    description = {key: None for key in METADATA_KEYS}
    description.update(metadata or {})
    description.update(
        n_visible=int(n_visible),
        n_hidden=int(n_hidden),
        version=__version__,
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    try:
        text = json.dumps(description, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise BioamError(f"metadata cannot be written as JSON ({error}); give plain "
                         "numbers, strings, lists and dicts") from None
    arrays = {"xi": _float_array("xi", xi), "theta": _float_array("theta", theta_array),
              "metadata": np.array(text)}
    if xi_back is not None:
        arrays["xi_back"] = _float_array("xi_back", xi_back)
    return write_npz_atomic(path, **arrays)


def load_model(path):
    """
    Read and validate a model (or plain weights) file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``xi`` (N_v, N_h), ``xi_back`` (N_h, N_v) or None, ``theta`` (N_h,) or
        None when the file has none, and ``metadata`` (a dict, empty for a
        plain weights file).

    Raises
    ------
    BioamError
        If the file is missing, corrupt, holds arrays of the wrong shape or
        NaN, or metadata that is not a JSON object matching the weights.
    """
    where = f"model file {os.fspath(path)!r}"
    model = load_weights(path)  # checks existence, zip format, shapes, NaN
    metadata = model["metadata"]
    if not isinstance(metadata, dict):
        raise BioamError(f"{where}: metadata must be a JSON object, got {type(metadata).__name__}")
    n_visible, n_hidden = model["xi"].shape
    for key, size in (("n_visible", n_visible), ("n_hidden", n_hidden)):
        if metadata.get(key) is not None and metadata[key] != size:
            raise BioamError(
                f"{where}: metadata says {key} = {metadata[key]} but xi has shape "
                f"{model['xi'].shape}; the file was altered, save the model again"
            )
    return model


DEFAULT_THETA = 0.5  # the threshold of Section 2 (halfway between the states 0 and 1 of Eq. 8)


def model_theta(model):
    """
    The threshold to recall a loaded model with: its own, else `DEFAULT_THETA`.

    Parameters
    ----------
    model : dict
        As returned by `load_model`.

    Returns
    -------
    float or ndarray, shape (N_h,)
    """
    return DEFAULT_THETA if model["theta"] is None else model["theta"]
