"""
Brian2 code-generation targets: choosing one, and making brian2cuda build with CUDA 13.

``backend`` is one of `BACKENDS`:

* ``'numpy'`` and ``'cython'``: Brian2's runtime mode (``prefs.codegen.target``);
* ``'cpp_standalone'``: a C++ project compiled once and re-run with new cues;
* ``'cuda_standalone'``: the same through brian2cuda. CUDA 13 needs C++17
  where brian2cuda and Brian2 say C++11, and cuRAND's headers and library,
  which `configure_cuda` takes from the ``nvidia-curand`` wheel. The project
  compiles on any machine with ``nvcc``; running it needs a GPU.
"""

import os
import shutil
import subprocess

from brian2 import prefs
from brian2.devices.device import RuntimeDevice, all_devices, get_device, set_device
from brian2.utils.logger import get_logger

from .validation import BioamError

__all__ = ["BACKENDS", "RUNTIME_BACKENDS", "STANDALONE_BACKENDS", "check_backend",
           "activate", "deactivate", "gpu_available", "configure_cuda"]

logger = get_logger(__name__)

RUNTIME_BACKENDS = ("numpy", "cython")
STANDALONE_BACKENDS = ("cpp_standalone", "cuda_standalone")
BACKENDS = RUNTIME_BACKENDS + STANDALONE_BACKENDS

#: Name under which the CUDA 13 device is registered with Brian2.
CUDA13_DEVICE = "bioam_cuda_standalone"

#: C++ preferences `configure_cuda` changes; `deactivate` puts them back.
_CPP_PREFS = ("extra_compile_args_gcc", "include_dirs", "library_dirs", "runtime_library_dirs")
_saved_prefs = {}
#: The caller's (device, build_on_run, build_options, prefs.codegen.target) while bioam
#: has its own target active (`activate`, `deactivate`).
_user_state = None


def check_backend(backend):
    """Raise a `BioamError` unless ``backend`` is one of `BACKENDS`."""
    if backend not in BACKENDS:
        raise BioamError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


def gpu_available():
    """Whether ``nvidia-smi`` lists at least one GPU."""
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


def _curand_paths():
    """Include and library folders of the ``nvidia-curand`` wheel, if installed."""
    try:
        import nvidia
    except ImportError:
        return None
    for base in nvidia.__path__:
        for sub in ("cu13", "curand", "cu12"):
            include = os.path.join(base, sub, "include")
            lib = os.path.join(base, sub, "lib")
            if os.path.isfile(os.path.join(include, "curand.h")):
                return include, lib
    return None


def _linkable_curand(lib_dir, link_dir):
    """
    A folder with ``libcurand.so``: the wheel ships only ``libcurand.so.10``,
    and the makefile links with ``-lcurand``.
    """
    if os.path.exists(os.path.join(lib_dir, "libcurand.so")):
        return lib_dir
    versioned = sorted(f for f in os.listdir(lib_dir) if f.startswith("libcurand.so."))
    if not versioned:
        raise BioamError(f"no libcurand.so* in {lib_dir}; reinstall nvidia-curand")
    os.makedirs(link_dir, exist_ok=True)
    link = os.path.join(link_dir, "libcurand.so")
    if not os.path.exists(link):
        os.symlink(os.path.join(lib_dir, versioned[0]), link)
    return link_dir


def _cuda13_device_class():
    """A brian2cuda device whose makefile compiles CUDA code as C++17."""
    from brian2cuda.device import CUDAStandaloneDevice

    class _Cpp17Writer:
        """Passes files through to brian2cuda's writer, C++17 in the makefile."""

        def __init__(self, writer):
            self._writer = writer

        def __getattr__(self, item):
            return getattr(self._writer, item)

        def write(self, filename, contents):
            if filename == "makefile":
                contents = contents.replace("-std=c++11", "-std=c++17")
            return self._writer.write(filename, contents)

    class Cuda13StandaloneDevice(CUDAStandaloneDevice):
        """brian2cuda's device, its makefile's ``-std=c++11`` set to C++17."""

        def generate_makefile(self, writer, *args, **kwds):
            return super().generate_makefile(_Cpp17Writer(writer), *args, **kwds)

    return Cuda13StandaloneDevice


#: Name under which bioam's C++ standalone device is registered with Brian2.
CPP_DEVICE = "bioam_cpp_standalone"


def _cpp_device_class():
    """
    Brian2's C++ standalone device with bioam's threshold template (`bioam/templates`).

    The template finds the same events as Brian2's, but first asks, in a loop the
    compiler vectorises, whether any neuron has one: in a recall most steps have
    none, and the event check was half of the run time.
    """
    from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    class BioamCodeObject(CPPStandaloneCodeObject):
        """C++ standalone code objects whose templates are looked up in bioam first."""

        templater = CPPStandaloneCodeObject.templater.derive("bioam")

    class BioamCPPStandaloneDevice(CPPStandaloneDevice):
        """The C++ standalone device, generating code with `BioamCodeObject`."""

        def code_object_class(self, codeobj_class=None, fallback_pref=None):
            if codeobj_class is None or codeobj_class is CPPStandaloneCodeObject:
                return BioamCodeObject
            return codeobj_class

    return BioamCPPStandaloneDevice


def configure_cuda(build_directory, compute_capability=None):
    """
    Set the preferences brian2cuda needs to build with CUDA 13 on this machine.

    Parameters
    ----------
    build_directory : str
        Where the project will be written (a link to cuRAND goes beside it).
    compute_capability : float, optional
        Target architecture when no GPU is present to detect it (default 9.0).

    Returns
    -------
    str
        The Brian2 device name to pass to `set_device`.
    """
    try:
        import brian2cuda  # noqa: F401  (registers its preferences)
    except ImportError:
        raise BioamError(
            "backend 'cuda_standalone' needs brian2cuda; install it with "
            "pip install 'bioam[cuda]'"
        ) from None
    if shutil.which("nvcc") is None and not os.environ.get("CUDA_PATH"):
        raise BioamError("backend 'cuda_standalone' needs CUDA's nvcc on PATH (or CUDA_PATH set)")
    paths = _curand_paths()
    if paths is None:
        raise BioamError("cuRAND headers not found; install them with pip install nvidia-curand")
    include, lib = paths
    lib = _linkable_curand(lib, os.path.join(os.path.abspath(build_directory) + "_curand"))

    if CUDA13_DEVICE not in all_devices:
        all_devices[CUDA13_DEVICE] = _cuda13_device_class()()
    has_gpu = gpu_available()
    backend_prefs = prefs.devices.cuda_standalone.cuda_backend
    backend_prefs.detect_gpus = has_gpu
    if not has_gpu:
        backend_prefs.gpu_id = 0
        backend_prefs.compute_capability = compute_capability or 9.0
    elif compute_capability is not None:
        backend_prefs.compute_capability = compute_capability
    for pref_name in _CPP_PREFS:
        _saved_prefs.setdefault(pref_name, list(prefs.codegen.cpp[pref_name]))
    gcc_args = [a for a in prefs.codegen.cpp.extra_compile_args_gcc if not a.startswith("-std=")]
    prefs.codegen.cpp.extra_compile_args_gcc = gcc_args + ["-std=c++17"]
    for pref_name, folder in (("include_dirs", include), ("library_dirs", lib),
                              ("runtime_library_dirs", lib)):
        current = list(prefs.codegen.cpp[pref_name])
        if folder not in current:
            prefs.codegen.cpp[pref_name] = current + [folder]
    return CUDA13_DEVICE


def check_runnable(backend):
    """
    Refuse, before any work, a run on ``cuda_standalone`` where there is no GPU.

    Building (compiling) a CUDA project needs no GPU, and `RecallSession` still
    builds one; a command or `bioam.recall` that would compile for minutes and
    then fail to run is stopped here instead.
    """
    check_backend(backend)
    if backend == "cuda_standalone" and not gpu_available():
        raise BioamError("backend 'cuda_standalone' needs an NVIDIA GPU to run and none was found "
                         "(nvidia-smi lists none); use cpp_standalone here, or a RecallSession "
                         "to compile the CUDA project without running it")


def activate(backend, build_directory=None):
    """
    Make ``backend`` Brian2's current target.

    For standalone backends the device is set with ``build_on_run=False``; the
    caller builds the project with ``get_device().build(run=False, ...)``.
    """
    check_backend(backend)
    if _user_state is None:  # the caller's device and target, put back by `deactivate`
        device = get_device()
        globals()["_user_state"] = (device, getattr(device, "build_on_run", True),
                                    dict(getattr(device, "build_options", {}) or {}),
                                    prefs.codegen.target)
    if backend in RUNTIME_BACKENDS:
        set_device("runtime")
        prefs.codegen.target = backend
        return
    device_name = backend
    if backend == "cuda_standalone":
        device_name = configure_cuda(build_directory)
    else:
        if CPP_DEVICE not in all_devices:
            all_devices[CPP_DEVICE] = _cpp_device_class()()
        device_name = CPP_DEVICE
    set_device(device_name, build_on_run=False, directory=build_directory)


def deactivate():
    """
    Forget bioam's standalone project and give the caller back their device and target.

    The device, its ``build_on_run`` and build options, and
    ``prefs.codegen.target`` are those in place when `activate` was first called.
    """
    global _user_state
    device = get_device()
    if not isinstance(device, RuntimeDevice) and device is not _user_device():
        device.reinit()  # bioam's standalone project, not the caller's
    for pref_name, value in _saved_prefs.items():
        prefs.codegen.cpp[pref_name] = value
    _saved_prefs.clear()
    if _user_state is None:
        set_device("runtime")
        return
    user_device, build_on_run, build_options, target = _user_state
    _user_state = None
    set_device(user_device, build_on_run=build_on_run, **build_options)
    prefs.codegen.target = target


def _user_device():
    return None if _user_state is None else _user_state[0]
