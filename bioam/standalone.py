"""
Compiled standalone projects: a cache keyed by the generated code, and runs of one binary in parallel.

A Brian2 standalone project (``cpp_standalone`` or ``cuda_standalone``) is
generated into a fresh folder, hashed (every source file, the makefile and
the static arrays, which hold the weights), and compiled only if the cache
has no project with that hash. A finished project is moved into the cache
with one atomic rename, so two processes that build the same project at the
same time both end up using one complete copy and neither sees a half-built
one. A project whose code equals a compiled one's and whose static arrays
differ (the same network with other weights: another seed of a sweep) is not
compiled either: the binary reads its static arrays from files when it starts,
so the compiled files are copied beside the new arrays (about 1 s instead of
20 to 60 s of compilation).

`run_project` runs the compiled binary once with Brian2's command-line
``run_args`` (values for variables and `TimedArray` objects) and its own
results folder, and returns the requested arrays; it is a plain function of
plain arguments, so any `concurrent.futures`-style executor can run many of
them at once (threads are enough: the work happens in the binary's process).
The values files and results of a run are deleted when it returns.

The cache lives in ``$BIOAM_CACHE_DIR`` (default ``~/.cache/bioam``); delete
the folder to empty it.
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import numpy as np
from brian2 import prefs
from brian2.codegen.cpp_prefs import get_compiler_and_args
from brian2.devices.device import get_device
from brian2.utils.logger import get_logger

from .validation import BioamError

__all__ = ["cache_root", "build_cached", "run_project", "write_run_files"]

logger = get_logger(__name__)

_AUTOMATIC_SUFFIX = re.compile(rb"(_codeobject|_push_spikes)_\d+")

#: Files of a generated project that decide what the binary computes.
_HASHED_SUFFIXES = (".cpp", ".h", ".cu", ".cuh", ".hpp", "makefile", ".txt")


def cache_root():
    """The folder of compiled projects: ``$BIOAM_CACHE_DIR`` or ``~/.cache/bioam``."""
    root = os.environ.get("BIOAM_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "bioam")
    return os.path.join(root, "projects")


def _project_hash(directory, static_arrays=True):
    """A project's hash: its code, and with ``static_arrays`` its data files too."""
    digest = hashlib.sha256()
    folders = ("", "code_objects", "static_arrays", "brianlib") if static_arrays else (
        "", "code_objects", "brianlib")
    for folder in folders:
        path = os.path.join(directory, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            # every static array (the weights, with no suffix) and every source file
            if os.path.isfile(full) and (folder == "static_arrays"
                                         or name.endswith(_HASHED_SUFFIXES)):
                digest.update(_AUTOMATIC_SUFFIX.sub(rb"\1", f"{folder}/{name}\0".encode()))
                with open(full, "rb") as stream:
                    content = stream.read()
                if folder != "static_arrays":
                    # Brian2 numbers the code objects of a process ('_codeobject_1'), which
                    # says nothing about what they compute
                    content = _AUTOMATIC_SUFFIX.sub(rb"\1", content)
                if name == "main.cpp":
                    # Brian2 initialises the clocks in the order of a set, which changes
                    # from one process to the next: hash the lines sorted
                    content = b"\n".join(sorted(content.splitlines()))
                digest.update(content)
    return digest.hexdigest()[:24]


def _count_files(folder, extensions):
    count = 0
    for _, _, names in os.walk(folder):
        count += sum(name.endswith(extensions) for name in names)
    return count


@contextlib.contextmanager
def compile_progress(folder, report, backend, interval=5.0, width=20):
    """
    While a project in ``folder`` compiles, report every ``interval`` seconds how far it is.

    The compiler makes one object file per source file, so the object files in
    ``folder`` out of its ``.cpp`` and ``.cu`` files measure its progress.

    Parameters
    ----------
    folder : str
    report : callable or None
        A `bioam.progress.progress_reporter` (nothing is reported when it is
        None or not enabled).
    backend : str
    interval : float
    """
    if report is None or not getattr(report, "enabled", True):
        yield
        return
    stop = threading.Event()
    start = time.perf_counter()

    def watch():
        while not stop.wait(interval):
            sources = _count_files(folder, (".cpp", ".cu"))
            made = min(_count_files(folder, (".o",)), sources)
            filled = int(width * made / sources) if sources else 0
            report(f"bioam: compiling the {backend} project [{'#' * filled}"
                   f"{'-' * (width - filled)}] {made}/{sources} source files, "
                   f"{time.perf_counter() - start:.0f} s")

    report(f"bioam: compiling the {backend} project (once per network; later runs with the "
           "same code reuse it from the cache)")
    thread = threading.Thread(target=watch, name="bioam-compile-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def build_cached(backend, use_cache=True, progress=None):
    """
    Generate the current standalone device's project and compile it, or reuse a cached one.

    The network must have been run (with ``build_on_run=False``) on the
    current device.

    Parameters
    ----------
    backend : str
        ``cpp_standalone`` or ``cuda_standalone`` (part of the cache key).
    use_cache : bool
        False compiles into a fresh temporary folder that the caller deletes.
    progress : callable, optional
        A `bioam.progress.progress_reporter`: a line when compilation starts and
        one every few seconds while it runs (`compile_progress`).

    Returns
    -------
    directory : str
        The compiled project.
    cached : bool
        Whether it came from the cache without compiling.
    """
    device = get_device()
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".build-{os.getpid()}-", dir=root)
    try:
        device.build(directory=staging, compile=False, run=False, with_output=False)
        key = f"{backend}-{_project_hash(staging)}"
        final = os.path.join(root, key)
        if use_cache and os.path.isfile(os.path.join(final, "main")):
            shutil.rmtree(staging, ignore_errors=True)
            device.project_dir = final
            logger.info(f"reusing the compiled project {final}", "cache")
            return final, True
        code_key = f"{backend}-code-{_project_hash(staging, static_arrays=False)}"
        compiled = _compiled_with_same_code(root, code_key) if use_cache else None
        if compiled is not None:
            # the same code with other data (new weights): the binary reads its static
            # arrays from files when it starts, so the compiled files are reused as they are
            _copy_build_products(compiled, staging)
            logger.info(f"reusing the binary of {compiled} with new static arrays", "cache")
        else:
            compiler, _ = get_compiler_and_args()
            with compile_progress(staging, progress, backend):
                device.compile_source(staging, compiler, False, False)
        if not use_cache:
            return staging, False
        try:
            os.rename(staging, final)
        except OSError:  # another process finished the same project first
            shutil.rmtree(staging, ignore_errors=True)
            if not os.path.isfile(os.path.join(final, "main")):
                raise
        _remember_compiled(root, code_key, final)
        device.project_dir = final
        return final, compiled is not None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: Files a compilation makes (copied from a project with the same code).
_BUILD_PRODUCTS = (".o", ".deps")


def _compiled_with_same_code(root, code_key):
    """A compiled project in the cache whose code equals ``code_key``'s, or None."""
    try:
        with open(os.path.join(root, code_key)) as stream:
            name = stream.read().strip()
    except OSError:
        return None
    project = os.path.join(root, name)
    return project if name and os.path.isfile(os.path.join(project, "main")) else None


def _remember_compiled(root, code_key, project):
    """Note (atomically) that ``project`` is a compiled project of ``code_key``'s code."""
    handle, temporary = tempfile.mkstemp(prefix=".code-", dir=root)
    with os.fdopen(handle, "w") as stream:
        stream.write(os.path.basename(project))
    os.replace(temporary, os.path.join(root, code_key))


def _copy_build_products(source, target):
    """Copy the binary and object files of a compiled project into a generated one."""
    for folder in ("", "code_objects", "brianlib"):
        path = os.path.join(source, folder)
        if not os.path.isdir(path):
            continue
        for name in os.listdir(path):
            full = os.path.join(path, name)
            if os.path.isfile(full) and (name == "main" or name.endswith(_BUILD_PRODUCTS)):
                shutil.copy2(full, os.path.join(target, folder, name))


def write_run_files(directory, arrays):
    """
    Write raw float64 arrays into a fresh run folder under ``directory``'s results.

    Parameters
    ----------
    directory : str
        A compiled project.
    arrays : dict
        ``{file name: array}``.

    Returns
    -------
    run_dir : str
        The folder (give it to `run_project`, which deletes it).
    paths : dict
        ``{file name: absolute path}``.
    """
    run_dir = tempfile.mkdtemp(prefix="run-", dir=os.path.join(directory, "results"))
    paths = {}
    for name, values in arrays.items():
        paths[name] = os.path.join(run_dir, name)
        np.ascontiguousarray(values, dtype=np.float64).tofile(paths[name])
    return run_dir, paths


def run_project(directory, run_args, outputs, run_dir=None, timeout=None):
    """
    Run a compiled project's binary once and read some of its results.

    Parameters
    ----------
    directory : str
        The compiled project (`build_cached`).
    run_args : list of str
        ``'group.variable=path'`` or ``'timedarray=path'`` assignments, as
        Brian2's ``device.run(run_args=...)`` writes them.
    outputs : dict
        ``{key: (filename, dtype, n_columns)}``: result files to read, each
        returned as an array of shape (-1, n_columns).
    run_dir : str, optional
        A folder of this run (for example the one `write_run_files` made); it
        receives the results and is deleted afterwards with everything in it.
    timeout : float, optional
        Seconds after which the binary is stopped.

    Returns
    -------
    dict
        ``{key: ndarray}``.
    """
    own = run_dir is None
    if own:
        run_dir = tempfile.mkdtemp(prefix="run-", dir=os.path.join(directory, "results"))
    try:
        command = list(prefs.devices.cpp_standalone.run_cmd_unix)
        if isinstance(prefs.devices.cpp_standalone.run_cmd_unix, str):
            command = [prefs.devices.cpp_standalone.run_cmd_unix]
        completed = subprocess.run(
            command + ["--results_dir", os.path.join(run_dir, "")] + list(run_args),
            cwd=directory, capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0:
            tail = (completed.stdout + completed.stderr).strip().splitlines()[-3:]
            raise BioamError(f"the compiled project {directory} failed (exit "
                             f"{completed.returncode}): {' | '.join(tail)}")
        results = {}
        for key, (filename, dtype, n_columns) in outputs.items():
            data = np.fromfile(os.path.join(run_dir, filename), dtype=dtype)
            results[key] = data.reshape(-1, n_columns)
        return results
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
