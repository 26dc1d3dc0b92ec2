"""
Checks of user input, raised where the bad value enters the library.

Every check raises `BioamError` (a `ValueError`) with a one-line message that
names the value, what was expected and how to fix it. The command-line
interface prints that message alone, without a traceback.
"""

import re

import numpy as np
from brian2 import second
from brian2.units.fundamentalunits import Quantity, have_same_dimensions

__all__ = [
    "BioamError",
    "check_weights",
    "check_cues",
    "check_theta",
    "check_time",
    "check_timing",
    "check_positive",
    "parse_time",
    "check_seed",
    "check_memory",
    "MAX_STEPS",
]

#: The most time steps one recall may take (duration / dt): 10^8 steps are 2,500 s
#: of simulated time at dt = 0.025 ms, hours of computing; more is a typo.
MAX_STEPS = 10**8


class BioamError(ValueError):
    """A problem with input given to bioam; the message says how to fix it."""


def _check_finite(name, array):
    if not np.all(np.isfinite(array)):
        n_bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise BioamError(
            f"{name} contains {n_bad} NaN or infinite value(s); "
            "replace them with finite numbers"
        )


def _as_float_array(name, value):
    if isinstance(value, Quantity) and not have_same_dimensions(value, 1):
        raise BioamError(
            f"{name} is dimensionless in Eq. (1) (rates and potentials are plain numbers), "
            f"got {value!r}; give it without units"
        )
    array = np.asarray(value)
    if array.dtype == object:
        raise BioamError(
            f"{name} is an array of Python objects; give a numeric array (float)"
        )
    if np.iscomplexobj(array):
        raise BioamError(f"{name} holds complex numbers; give real numbers (float)")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BioamError(f"{name} has dtype {array.dtype}; give a numeric array")
    return np.asarray(array, dtype=np.float64)


def check_weights(xi, xi_back=None):
    """
    Validate the weight matrices of Eq. (1).

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
        Forward weights (visible -> hidden); also the backward weights unless
        ``xi_back`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
        Backward weights (hidden -> visible) for asymmetric networks.

    Returns
    -------
    xi, xi_back : ndarray
        Float64 copies; ``xi_back`` is ``xi.T`` when not given.
    """
    xi = _as_float_array("weights xi", xi)
    if xi.ndim != 2 or min(xi.shape) < 1:
        raise BioamError(
            f"weights xi must be a 2-D array of shape (N_v, N_h), got shape {xi.shape}"
        )
    _check_finite("weights xi", xi)
    n_visible, n_hidden = xi.shape
    if xi_back is None:
        xi_back = xi.T
    else:
        xi_back = _as_float_array("backward weights xi_back", xi_back)
        if xi_back.shape != (n_hidden, n_visible):
            raise BioamError(
                f"backward weights xi_back must have shape (N_h, N_v) = "
                f"({n_hidden}, {n_visible}) to match xi {xi.shape}, got {xi_back.shape}"
            )
        _check_finite("backward weights xi_back", xi_back)
    return np.ascontiguousarray(xi), np.ascontiguousarray(xi_back)


def check_cues(cues, n_visible):
    """
    Validate a batch of cues (initial visible states, Eq. 12a).

    Parameters
    ----------
    cues : array-like, shape (B, N_v) or (N_v,)
    n_visible : int

    Returns
    -------
    ndarray, shape (B, N_v)
    """
    cues = _as_float_array("cues", cues)
    if cues.ndim == 1:
        cues = cues[None, :]
    if cues.ndim != 2 or cues.shape[1] != n_visible:
        raise BioamError(
            f"cues must have shape (B, N_v) with N_v = {n_visible} visible neurons "
            f"(the first dimension of xi), got shape {cues.shape}"
        )
    if cues.shape[0] == 0:
        raise BioamError("cues is empty; give at least one cue")
    _check_finite("cues", cues)
    return np.ascontiguousarray(cues)


def check_theta(theta, n_hidden):
    """
    Validate the threshold: a scalar or one value per hidden neuron.

    Returns
    -------
    ndarray, shape (N_h,)
    """
    theta = _as_float_array("theta", theta)
    if theta.ndim == 0:
        theta = np.full(n_hidden, float(theta))
    elif theta.shape != (n_hidden,):
        raise BioamError(
            f"theta must be a scalar or have one value per hidden neuron, shape "
            f"({n_hidden},), got shape {theta.shape}"
        )
    _check_finite("theta", theta)
    return theta.copy()


def check_positive(name, value):
    """Raise unless ``value`` is a finite number > 0."""
    if not np.isfinite(value) or value <= 0:
        raise BioamError(f"{name} must be a positive number, got {value}")
    return value


def check_time(name, value, allow_zero=False):
    """
    Check that ``value`` is a positive, finite Brian2 time quantity.

    Returns
    -------
    Quantity
    """
    if not isinstance(value, Quantity) or not have_same_dimensions(value, second):
        raise BioamError(
            f"{name} must be a time with units, e.g. 20*ms (or '20ms' on the "
            f"command line), got {value!r}"
        )
    if np.ndim(value) != 0:
        raise BioamError(f"{name} must be a single time, got an array")
    if not np.isfinite(float(value)) or float(value) < 0 or (float(value) == 0 and not allow_zero):
        raise BioamError(f"{name} must be {'>= 0' if allow_zero else 'positive'}, got {value}")
    return value


def check_timing(tau_v, tau_h, dt, duration=None):
    """
    Check the time constants, the time step and the duration together.

    Forward Euler on Eq. (1) needs ``dt < tau_h`` (and so ``dt < tau_v``).
    """
    for name, value in (("tau_v", tau_v), ("tau_h", tau_h), ("dt", dt)):
        check_time(name, value)
    if duration is not None:
        check_time("duration", duration)
        if duration < dt:
            raise BioamError(
                f"duration ({duration}) is shorter than one time step dt ({dt}); "
                "give a longer duration"
            )
    if duration is not None and float(duration / dt) > MAX_STEPS:
        raise BioamError(
            f"duration ({duration}) / dt ({dt}) is {float(duration / dt):.3g} time steps, more "
            f"than {MAX_STEPS:.0e}; give a shorter duration or a larger dt"
        )
    if not dt < tau_h:
        raise BioamError(
            f"dt ({dt}) must be smaller than tau_h ({tau_h}) for a stable Euler "
            "step; use e.g. dt = tau_h / 10"
        )
    if not dt < tau_v:
        raise BioamError(f"dt ({dt}) must be smaller than tau_v ({tau_v})")


_TIME_UNITS = {"s": 1.0, "second": 1.0, "ms": 1e-3, "msecond": 1e-3, "us": 1e-6, "usecond": 1e-6}
_TIME_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*([a-z]+)\s*$")


def parse_time(name, text, allow_zero=False):
    """
    Parse a Brian2-style time such as ``'0.1ms'``, ``'20 ms'`` or ``'1*second'``.

    Returns
    -------
    Quantity

    Examples
    --------
    >>> parse_time('dt', '0.1ms')
    100. * usecond
    """
    match = _TIME_PATTERN.match(str(text))
    if match is None or match.group(2) not in _TIME_UNITS:
        raise BioamError(
            f"{name}: cannot read {text!r} as a time; write it like '0.1ms' or '20ms'"
        )
    value = float(match.group(1)) * _TIME_UNITS[match.group(2)] * second
    return check_time(name, value, allow_zero)


def check_seed(seed, name="seed"):
    """
    Raise unless ``seed`` is a whole number in [0, 2^32) (NumPy's and scikit-learn's range).

    Returns
    -------
    int
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**32:
        raise BioamError(f"{name} must be a whole number from 0 to 2^32 - 1, got {seed!r}")
    return int(seed)


def available_memory():
    """Bytes of physical memory of this machine (None where the system does not say)."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _format_bytes(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.3g} {unit}" if unit != "bytes" else f"{int(n_bytes)} bytes"
        n_bytes /= 1024


def check_memory(what, n_bytes, fix):
    """
    Refuse, before allocating, work that needs more memory than the machine has.

    Parameters
    ----------
    what : str
        What needs the memory ("training N_h = 10^8 hidden neurons on 784 pixels").
    n_bytes : float
        An estimate of the bytes it needs (the largest arrays it allocates).
    fix : str
        How to make it smaller.

    Raises
    ------
    BioamError
        With the estimate and the machine's memory.

    Examples
    --------
    >>> check_memory("a small array", 8e3, "use fewer")
    >>> check_memory("weights of 10^9 x 10^6", 8e15, "use fewer neurons")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bioam.validation.BioamError: weights of 10^9 x 10^6 need about 7.11 PiB of memory, ...
    """
    total = available_memory()
    if not np.isfinite(n_bytes):
        n_bytes = float("inf")
    if total is not None and n_bytes > total:
        size = ("an unbounded amount" if n_bytes == float("inf")
                else f"about {_format_bytes(n_bytes)}")
        raise BioamError(f"{what} need {size} of memory, more than this machine's "
                         f"{_format_bytes(total)}; {fix}")
