"""
Parameter sweeps on Dask distributed, with a per-setting result cache.

A sweep is a function and a list of settings (keyword dicts); every setting
is one task. `run_sweep` submits the tasks to a Dask ``distributed``
scheduler and returns their results in the order of the settings:

* ``scheduler=None`` (the default) starts a ``LocalCluster`` on this machine,
  one single-threaded worker process per core (or ``n_workers``), and closes
  it at the end;
* ``scheduler='tcp://host:8786'`` (an address) or a ``distributed.Client``
  sends the tasks to a running cluster: start one with ``dask scheduler`` and
  ``dask worker`` on each machine, or on SLURM with ``dask-jobqueue``
  (docs/sweeps.md);
* ``scheduler='inline'`` runs the tasks one after another in this process
  (no cluster; for debugging and for the tests). A single task left to run
  also runs here, without starting a local cluster.

Every result is written, as JSON, to ``cache/<key>.json`` as soon as its task
ends (atomically), the key being a hash of the function's name, the setting
and the package version; a sweep started again with the same cache skips
the settings already done, so an interrupted sweep resumes where it stopped.
Results must be JSON values (numbers, strings, lists, dicts).

Compiled standalone projects. A task that simulates on ``cpp_standalone``
builds its project in the worker that runs it, in Brian2's project
directory of that worker's process (`bioam.standalone`): on one machine the
workers share the compile cache (``~/.cache/bioam`` or ``BIOAM_CACHE_DIR``),
keyed by the generated code, so a network compiled once is reused by every
worker; on a cluster each machine compiles for itself unless
``BIOAM_CACHE_DIR`` points to a shared file system.

Examples
--------
>>> def square(x):
...     return x * x
>>> run_sweep(square, [{"x": 2}, {"x": 3}], scheduler="inline", progress=False)
[4, 9]
"""

import hashlib
import json
import os
import time

from brian2.utils.logger import get_logger

from ._version import __version__
from .io import _write_atomic
from .progress import progress_reporter
from .validation import BioamError

__all__ = ["run_sweep", "setting_key", "SCHEDULERS"]

logger = get_logger(__name__)

#: The special values of ``scheduler`` (besides an address or a Client).
SCHEDULERS = (None, "local", "inline")


def _json_ready(value):
    """numpy scalars and arrays as plain JSON values."""
    import numpy as np

    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def setting_key(function, setting):
    """
    The cache key of one task: a hash of the function, the setting and the version.

    Examples
    --------
    >>> setting_key(len, {"a": 1}) == setting_key(len, {"a": 1})
    True
    >>> setting_key(len, {"a": 1}) == setting_key(len, {"a": 2})
    False
    """
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"
    # callables (progress callbacks) do not change a result and are left out
    plain = {key: value for key, value in setting.items() if not callable(value)}
    text = json.dumps([name, _json_ready(plain), __version__], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _check(settings, scheduler, n_workers):
    if not isinstance(settings, (list, tuple)) or not all(isinstance(s, dict) for s in settings):
        raise BioamError("settings must be a list of keyword dicts, one per task")
    if n_workers is not None and (isinstance(n_workers, bool) or not isinstance(n_workers, int)
                                  or n_workers < 1):
        raise BioamError(f"n_workers must be a whole number >= 1, got {n_workers!r}")
    if isinstance(scheduler, str) and scheduler not in ("local", "inline") \
            and "://" not in scheduler and ":" not in scheduler:
        raise BioamError(f"scheduler {scheduler!r} is neither 'local', 'inline' nor an address "
                         "like tcp://host:8786")


def _read_cache(path):
    try:
        with open(path) as stream:
            return True, json.load(stream)["result"]
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def _write_cache(path, setting, result, seconds):
    plain = {key: value for key, value in setting.items() if not callable(value)}
    text = json.dumps({"setting": _json_ready(plain), "result": _json_ready(result),
                       "seconds": round(seconds, 3), "version": __version__}, sort_keys=True,
                      default=str)
    _write_atomic(path, ".json", lambda stream: stream.write(text.encode()))


def _timed(function, setting):
    started = time.perf_counter()
    result = function(**setting)
    return result, time.perf_counter() - started


def run_sweep(function, settings, *, cache=None, scheduler=None, n_workers=None, progress=True,
              label="sweep", describe=None):
    """
    Run ``function(**setting)`` for every setting on Dask distributed; results in order.

    Parameters
    ----------
    function : callable
        A module-level function (workers import it by name).
    settings : list of dict
    cache : str, optional
        Folder of the per-setting results (created); settings found there are
        not run again. None: no cache.
    scheduler : None, 'local', 'inline', str or distributed.Client
        Where the tasks run (module docstring).
    n_workers : int, optional
        Workers of the local cluster (default: one per core, at most one per task).
    progress : bool or callable
        A line per finished task (see `bioam.progress`).
    label : str
        Name of the sweep in progress lines.
    describe : callable, optional
        ``describe(setting, result)`` gives the progress line of a finished
        task (default: the setting and its time).

    Returns
    -------
    list
        ``function``'s results, one per setting, in the order of ``settings``.
    """
    _check(settings, scheduler, n_workers)
    report = progress_reporter(progress, __name__)
    results = [None] * len(settings)
    todo = []
    paths = [None] * len(settings)
    if cache is not None:
        os.makedirs(cache, exist_ok=True)
    for index, setting in enumerate(settings):
        if cache is not None:
            paths[index] = os.path.join(cache, setting_key(function, setting) + ".json")
            found, value = _read_cache(paths[index])
            if found:
                results[index] = value
                continue
        todo.append(index)
    done = len(settings) - len(todo)
    if done:
        report(f"{label}: {done} of {len(settings)} settings found in {cache}")
    if not todo:
        return results
    started = time.perf_counter()

    def finish(index, result, seconds):
        nonlocal done
        if paths[index] is not None:
            _write_cache(paths[index], settings[index], result, seconds)
        results[index] = _json_ready(result) if paths[index] is not None else result
        done += 1
        line = (describe(settings[index], results[index]) if describe is not None
                else f"{_describe(settings[index])} in {seconds:.1f} s")
        report(f"{label} [{done}/{len(settings)}, {time.perf_counter() - started:.0f} s]: {line}")

    if scheduler == "inline" or (scheduler in (None, "local") and len(todo) == 1):
        # one task is no sweep: it runs here, without starting a cluster
        for index in todo:
            result, seconds = _timed(function, settings[index])
            finish(index, result, seconds)
        return results

    from distributed import Client, LocalCluster, as_completed

    cluster = client = None
    try:
        if isinstance(scheduler, Client):
            client = scheduler
        elif scheduler in (None, "local"):
            cluster = LocalCluster(n_workers=n_workers or min(os.cpu_count() or 1, len(todo)),
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler)
        logger.debug(f"{label}: {len(todo)} tasks on {client}")
        futures = {client.submit(_timed, function, settings[index], pure=False): index
                   for index in todo}
        for future in as_completed(futures):
            result, seconds = future.result()
            finish(futures[future], result, seconds)
    finally:
        if client is not None and client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()
    return results


def _describe(setting):
    text = ", ".join(f"{key}={value}" for key, value in setting.items()
                     if isinstance(value, (int, float, str)))
    return text[:80] or "a setting"
