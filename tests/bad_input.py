"""
The bad-input catalogue: every class of bad input, for every command and the API.

Each case is one malformed or hostile invocation, in a class of the issue that
asked for this suite (output paths, corrupt files, bad numbers, data loss,
silent acceptance, concurrency). `run_case` runs it in this process against a
small world of files (`make_world`) and sorts the outcome into one of

- ``clean``: refused with one line ``bioam: error: ...`` and exit status 2 (a
  `BioamError` in the API), before any simulation or training step ran, with
  every file of the world byte-for-byte as it was and no file added;
- ``late``: refused cleanly, but after simulation or training had started;
- ``traceback``: any other exception, or a traceback printed;
- ``accepted``: it ran (exit status 0, or no exception in the API);
- ``data lost``: a file of the world changed or disappeared;
- ``debris``: refused cleanly but left files behind (partial outputs,
  temporaries, locks, Brian2 debug logs);
- ``hang``: still running after `TIMEOUT_SECONDS`.

tests/test_bad_input.py asserts ``clean`` for every case;
``experiments/bad_input_audit.py`` counts the outcomes by class and command.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

TIMEOUT_SECONDS = 60
COMMANDS = ("recall", "capacity", "compare", "train", "evaluate", "classify", "baselines",
            "hebbian", "api")
CLASSES = ("output path", "corrupt file", "bad number", "data loss", "silent acceptance",
           "concurrency")
OUTCOMES = ("clean", "late", "traceback", "accepted", "data lost", "debris", "hang")


@dataclass
class Case:
    """One bad invocation: ``argv`` (a list, ``{NAME}`` filled from the world) or a callable."""

    klass: str
    command: str
    name: str
    call: Union[list, Callable]
    #: files to create first: {relative path: callable(world) -> None}
    setup: Callable = None

    @property
    def id(self):
        return f"{self.command}:{self.klass}:{self.name}"


# ----------------------------------------------------------------------------- the world

def make_world(folder):
    """
    Write the small files every case reads: weights, cues, data sets, models, a checkpoint.

    Returns
    -------
    dict
        Name -> absolute path (and ``dir``).
    """
    from bioam.models import save_model

    folder = os.path.abspath(os.fspath(folder))
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    world = {"dir": folder}

    def path(name):  # 'W.npz' -> world['W_npz']
        key = name.replace(".", "_").replace("/", "_")
        world[key] = os.path.join(folder, name)
        return world[key]

    np.savez(path("W.npz"), xi=rng.standard_normal((100, 4)), theta=0.5)
    np.savez(path("C.npz"), cues=rng.standard_normal((3, 100)))
    images = (rng.random((30, 10, 10)) * 255).astype(np.uint8)
    np.savez(path("D.npz"), x_train=images[:20], y_train=np.arange(20) % 2,
             x_test=images[20:], y_test=np.arange(10) % 2)
    images28 = (rng.random((40, 28, 28)) * 255).astype(np.uint8)
    np.savez(path("D28.npz"), x_train=images28[:30], y_train=np.arange(30) % 3,
             x_test=images28[30:], y_test=np.arange(10) % 3)
    save_model(path("M.npz"), rng.standard_normal((100, 4)), 0.5,
               metadata={"dataset": world["D_npz"], "tau_v": "20. ms", "tau_h": "1. ms"})
    save_model(path("M28.npz"), rng.standard_normal((784, 4)), 0.5,
               metadata={"dataset": world["D28_npz"]})
    os.makedirs(path("out"), exist_ok=True)
    os.makedirs(path("read_only"), exist_ok=True)
    os.makedirs(os.path.join(world["read_only"], "sub"), exist_ok=True)
    os.chmod(world["read_only"], 0o555)
    # a checkpoint of a finished two-epoch run (for the resume cases)
    from bioam.training import TrainingConfig, train

    with np.load(world["D_npz"]) as data:
        flat = data["x_train"].reshape(20, -1).astype(np.float64) / 255.0
    train(flat, TrainingConfig(**TRAIN_CONFIG), checkpoint_path=path("ckpt.npz"), progress=None)
    return world


#: The settings of the world's checkpoint (and of the train commands' base run).
TRAIN_CONFIG = dict(n_hidden=4, epochs=2, batch_size=10, seed=0)


def snapshot(folder):
    """SHA-256 of every file under ``folder``, by relative path."""
    hashes = {}
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as stream:
                hashes[os.path.relpath(full, folder)] = hashlib.sha256(stream.read()).hexdigest()
    return hashes


# ----------------------------------------------------------------------------- running

class _Timeout(BaseException):
    pass


class _WorkMeter:
    """Counts simulation runs and training steps while a case runs (for ``late``)."""

    def __init__(self):
        self.count = 0

    @contextlib.contextmanager
    def watching(self):
        import brian2

        import bioam.training as training

        original_run = brian2.Network.run
        original_step = training.loss_and_gradient

        def run(network, *args, **kwargs):
            self.count += 1
            return original_run(network, *args, **kwargs)

        def step(*args, **kwargs):
            self.count += 1
            return original_step(*args, **kwargs)

        brian2.Network.run = run
        training.loss_and_gradient = step
        try:
            yield self
        finally:
            brian2.Network.run = original_run
            training.loss_and_gradient = original_step


def _alarm(signum, frame):
    raise _Timeout()


def run_case(case, world):
    """
    Run one case against ``world`` and return ``(outcome, detail)``.

    The world folder is compared before and after; files a case's setup
    writes are part of the "before".
    """
    from bioam.cli import main
    from bioam.validation import BioamError

    if case.setup is not None:
        case.setup(world)
    before = snapshot(world["dir"])
    debug_before = _debug_logs()
    meter = _WorkMeter()
    _refuse_read_only(world)
    stderr, stdout = io.StringIO(), io.StringIO()
    error, code = None, None
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT_SECONDS)
    try:
        with meter.watching(), contextlib.redirect_stderr(stderr), \
                contextlib.redirect_stdout(stdout):
            if callable(case.call):
                try:
                    returned = case.call(world)
                    code = 0 if returned is None else returned
                except BioamError as bioam_error:
                    code = 2
                    print(f"bioam: error: {bioam_error}", file=sys.stderr)
            else:
                argv = [part.format(**world) for part in case.call]
                try:
                    code = main(argv)
                except SystemExit as exit_:  # argparse's own refusals
                    code = exit_.code
    except _Timeout:
        return "hang", f"still running after {TIMEOUT_SECONDS} s"
    except BaseException as exception:  # noqa: B036 - anything else is an escaped traceback
        error = exception
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        _refuse_read_only(world, undo=True)
    after = snapshot(world["dir"])
    err = stderr.getvalue().strip()
    lost = [name for name, digest in before.items() if after.get(name) != digest]
    added = sorted(set(after) - set(before))
    added += sorted(set(_debug_logs()) - set(debug_before))
    if lost:
        return "data lost", f"changed or removed: {lost}"
    if error is not None:
        first_line = str(error).splitlines()[0] if str(error) else ""
        return "traceback", f"{type(error).__name__}: {first_line}"
    if "Traceback" in err:
        return "traceback", err.splitlines()[-1]
    if code == 0:
        return "accepted", "ran without complaint"
    lines = err.splitlines()
    if code != 2 or len(lines) != 1 or not (lines[0].startswith("bioam: error:")
                                            or lines[0].startswith("usage:")
                                            or "error:" in lines[0]):
        return "traceback", f"exit {code}, stderr {err[:300]!r}"
    if added:
        return "debris", f"left {added}"
    if meter.count:
        return "late", f"refused after {meter.count} simulation runs / training steps: {err}"
    return "clean", err


_REAL_MKSTEMP = None


def _refuse_read_only(world, undo=False):
    """Make the world's read-only folder refuse new files for root too (mode bits do not)."""
    import tempfile

    global _REAL_MKSTEMP
    if undo:
        if _REAL_MKSTEMP is not None:
            tempfile.mkstemp, _REAL_MKSTEMP = _REAL_MKSTEMP, None
        return
    if not os.access(world["read_only"], os.W_OK):
        return
    real = _REAL_MKSTEMP = tempfile.mkstemp
    folder = os.path.realpath(world["read_only"])

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and os.path.realpath(dir).startswith(folder):
            raise PermissionError(13, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    tempfile.mkstemp = mkstemp


def _debug_logs():
    """Brian2's debug files in the working folder (those in /tmp may be other processes')."""
    folder = os.getcwd()
    return [os.path.join(folder, name) for name in os.listdir(folder)
            if name.startswith("brian_debug_") or name.startswith("brian_stdout_")
            or name.startswith("brian_stderr_") or name.startswith("brian_script_")]


def restore_world(world, pristine):
    """Put the world back as ``pristine`` (a copy made after `make_world`) after a case."""
    os.chmod(world["read_only"], 0o755)
    shutil.rmtree(world["dir"])
    shutil.copytree(pristine, world["dir"])
    os.chmod(world["read_only"], 0o555)


def summary(results):
    """Counts by class and command: ``{class: {command: {outcome: n}}}`` and totals."""
    table = {klass: {} for klass in CLASSES}
    totals = dict.fromkeys(OUTCOMES, 0)
    for case, (outcome, _) in results:
        row = table[case.klass].setdefault(case.command, dict.fromkeys(OUTCOMES, 0))
        row[outcome] += 1
        totals[outcome] += 1
    return {"cases": len(results), "totals": totals, "by_class": table}


def dump(results, path, world_dir=None):
    """Write the summary and every case's outcome as JSON (the scratch folder as SCRATCH)."""
    record = summary(results)

    def portable(text):
        if world_dir:
            text = text.replace(os.path.dirname(world_dir), "SCRATCH")
        return text

    record["cases_detail"] = [{"id": case.id, "outcome": outcome, "detail": portable(detail)}
                              for case, (outcome, detail) in results]
    with open(path, "w") as stream:
        json.dump(record, stream, indent=1)


# ----------------------------------------------------------------------------- the cases

#: A run of each command that succeeds on the world in seconds; the cases change one thing.
BASE = {
    "recall": ["recall", "--weights", "{W_npz}", "--cues", "{C_npz}", "--out", "{dir}/out/R.npz",
               "--backend", "numpy", "--duration", "20ms", "--quiet"],
    "capacity": ["capacity", "--nh", "2", "--theta", "0.5", "--noise", "0", "--backend", "numpy",
                 "--duration", "20ms", "--scheduler", "inline", "--out", "{dir}/out/cap",
                 "--quiet"],
    "compare": ["compare", "--model", "{M_npz}", "--n", "2", "--variants", "rate",
                "--backend", "numpy", "--duration", "20ms", "--scheduler", "inline",
                "--out", "{dir}/out/cmp", "--quiet"],
    "train": ["train", "--dataset", "{D_npz}", "--nh", "3", "--epochs", "1", "--batch-size", "10",
              "--out", "{dir}/out/T.npz", "--quiet"],
    "evaluate": ["evaluate", "--model", "{M_npz}", "--limit", "5", "--backend", "numpy",
                 "--duration", "20ms", "--figures", "{dir}/out/figs", "--json",
                 "{dir}/out/E.json", "--quiet"],
    "classify": ["classify", "--model", "{M_npz}", "--limit-train", "10", "--limit-test", "5",
                 "--epochs", "1", "--backend", "numpy", "--duration", "20ms",
                 "--out", "{dir}/out/cls", "--quiet"],
    "baselines": ["baselines", "--model", "{M28_npz}", "--dataset", "{D28_npz}",
                  "--n-memories", "3", "--n-draws", "1", "--epochs", "1", "--backend", "numpy",
                  "--out", "{dir}/out/b4", "--quiet"],
    "hebbian": ["hebbian", "--units", "8", "--backend", "none", "--n-draws", "1",
                "--scheduler", "inline", "--out", "{dir}/out/heb", "--quiet"],
}

#: The option naming each command's (first) output, and whether it names a file or a folder.
OUTPUT = {"recall": ("--out", "file"), "capacity": ("--out", "folder"),
          "compare": ("--out", "folder"), "train": ("--out", "file"),
          "evaluate": ("--json", "file"), "classify": ("--out", "folder"),
          "baselines": ("--out", "folder"), "hebbian": ("--out", "folder")}

#: The file inputs of each command: option -> what kind of file it reads.
INPUTS = {"recall": {"--weights": "weights", "--cues": "cues"},
          "compare": {"--model": "model"}, "train": {"--dataset": "dataset"},
          "evaluate": {"--model": "model"}, "classify": {"--model": "model"},
          "baselines": {"--model": "model28", "--dataset": "dataset28"}}

SIMULATION_COMMANDS = ("recall", "capacity", "compare", "evaluate", "classify")


def with_option(argv, option, *values):
    """``argv`` with ``option`` set to ``values`` (replacing the base's value), or without it."""
    argv = list(argv)
    if option in argv:
        start = argv.index(option)
        end = start + 1
        while end < len(argv) and not (argv[end].startswith("--") and len(argv[end]) > 2
                                       and not argv[end][2].isdigit()):
            end += 1
        del argv[start:end]
    if values and values != (None,):
        argv += [option] + list(values)
    return argv


def _write(name, make):
    """A setup that writes the world file ``name`` with ``make(path, world)``."""
    def setup(world):
        make(os.path.join(world["dir"], name), world)
    return setup


def _bad_files():
    """Malformed versions of an input file: {name: setup writing it to bad/<kind>-<name>.npz}."""
    def corrupt_zip(path, world, kind):
        with open(path, "wb") as stream:
            stream.write(b"PK\x03\x04 this is not a zip archive")

    def truncated(path, world, kind):
        with open(_good(world, kind), "rb") as stream:
            content = stream.read()
        with open(path, "wb") as stream:
            stream.write(content[: len(content) // 2])

    def text(path, world, kind):
        with open(path, "w") as stream:
            stream.write("hello, I am not an npz file\n")

    def empty(path, world, kind):
        open(path, "wb").close()

    def bad_deflate(path, world, kind):  # a compressed member whose deflate stream is damaged
        import zipfile

        with zipfile.ZipFile(_good(world, kind)) as source, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, source.read(info.filename))
        with open(path, "r+b") as stream:
            content = bytearray(stream.read())
            for offset in range(60, min(len(content) - 200, 400), 7):
                content[offset] ^= 0x5A
            stream.seek(0)
            stream.write(content)

    def pickled(path, world, kind):
        arrays = _arrays(world, kind)
        key = next(iter(arrays))
        arrays[key] = np.array([{"a": 1}, None], dtype=object)
        np.savez(path, **arrays)

    def complex_values(path, world, kind):
        arrays = _arrays(world, kind)
        key = next(iter(arrays))
        arrays[key] = arrays[key] * (1 + 1j)
        np.savez(path, **arrays)

    def nan_values(path, world, kind):
        arrays = _arrays(world, kind)
        key = next(iter(arrays))
        values = arrays[key].astype(np.float64)
        values.flat[0] = np.nan
        arrays[key] = values
        np.savez(path, **arrays)

    def wrong_key(path, world, kind):
        arrays = _arrays(world, kind)
        np.savez(path, **{f"renamed_{key}": value for key, value in arrays.items()})

    def wrong_shape(path, world, kind):
        arrays = _arrays(world, kind)
        key = next(iter(arrays))
        arrays[key] = arrays[key].reshape(-1)[:7]
        np.savez(path, **arrays)

    return {"corrupt zip": corrupt_zip, "truncated": truncated, "text file": text,
            "empty file": empty, "damaged deflate stream": bad_deflate,
            "object array": pickled, "complex values": complex_values, "NaN": nan_values,
            "missing array": wrong_key, "wrong shape": wrong_shape}


_GOOD = {"weights": "W_npz", "cues": "C_npz", "model": "M_npz", "dataset": "D_npz",
         "model28": "M28_npz", "dataset28": "D28_npz", "checkpoint": "ckpt_npz"}


def _good(world, kind):
    return world[_GOOD[kind]]


def _arrays(world, kind):
    """The arrays of a good input of ``kind``, the one that matters first."""
    with np.load(_good(world, kind), allow_pickle=False) as data:
        arrays = {key: np.array(data[key]) for key in data.files}
    first = {"weights": "xi", "cues": "cues", "model": "xi", "model28": "xi",
             "dataset": "x_train", "dataset28": "x_train"}[kind]
    return dict([(first, arrays.pop(first))] + list(arrays.items()))


def _model_with_metadata(metadata_json, kind="model"):
    """A model whose metadata array holds ``metadata_json`` (not necessarily an object)."""
    def make(path, world):
        arrays = _arrays(world, kind)
        arrays["metadata"] = np.array(metadata_json)
        np.savez(path, **arrays)
    return make


def cases():
    """Every case of the catalogue, in a fixed order."""
    found = []

    def add(klass, command, name, call, setup=None):
        found.append(Case(klass, command, name, call, setup))

    # --- output paths: read-only folder, a folder in the way, a file in the way, empty
    for command, argv in BASE.items():
        option, kind = OUTPUT[command]
        if kind == "file":
            add("output path", command, "in a read-only folder",
                with_option(argv, option, "{read_only}/x.out"))
            add("output path", command, "in a new folder under a read-only one",
                with_option(argv, option, "{read_only}/new/deeper/x.out"))
            add("output path", command, "is a folder", with_option(argv, option, "{out}"))
            add("output path", command, "under a file", with_option(argv, option, "{W_npz}/x"))
        else:
            add("output path", command, "read-only folder",
                with_option(argv, option, "{read_only}"))
            add("output path", command, "new folder under a read-only one",
                with_option(argv, option, "{read_only}/new"))
            add("output path", command, "is a file", with_option(argv, option, "{dir}/afile"),
                setup=_write("afile", lambda path, world: open(path, "w").close()))
            add("output path", command, "under a file",
                with_option(argv, option, "{W_npz}/sub"))
        add("output path", command, "empty", with_option(argv, option, ""))
    add("output path", "evaluate", "--figures read-only",
        with_option(BASE["evaluate"], "--figures", "{read_only}"))
    add("output path", "evaluate", "--figures is a file",
        with_option(BASE["evaluate"], "--figures", "{W_npz}"))
    add("output path", "train", "--checkpoint is a folder",
        with_option(BASE["train"], "--checkpoint", "{out}"))
    add("output path", "train", "--checkpoint read-only",
        with_option(BASE["train"], "--checkpoint", "{read_only}/c.npz"))
    add("output path", "train", "--checkpoint empty",
        with_option(BASE["train"], "--checkpoint", ""))

    # --- data loss: an output that is one of the inputs, or another output
    add("data loss", "recall", "--out is --weights",
        with_option(BASE["recall"], "--out", "{W_npz}"))
    add("data loss", "recall", "--out is --cues", with_option(BASE["recall"], "--out", "{C_npz}"))
    add("data loss", "recall", "--out is a hard link to --weights",
        with_option(BASE["recall"], "--out", "{dir}/link.npz"),
        setup=lambda world: os.link(world["W_npz"], os.path.join(world["dir"], "link.npz")))
    add("data loss", "train", "--out is --dataset", with_option(BASE["train"], "--out", "{D_npz}"))
    add("data loss", "train", "--checkpoint is --dataset",
        with_option(BASE["train"], "--checkpoint", "{D_npz}"))
    add("data loss", "train", "--checkpoint is an existing model",
        with_option(BASE["train"], "--checkpoint", "{M_npz}"))
    add("data loss", "train", "--out is --checkpoint",
        with_option(BASE["train"], "--out", "{ckpt_npz}") + ["--checkpoint", "{ckpt_npz}"])
    add("data loss", "train", "--out is --init",
        with_option(BASE["train"] + ["--init", "{M_npz}"], "--out", "{M_npz}"))
    add("data loss", "train", "--checkpoint is --init",
        BASE["train"] + ["--init", "{M_npz}", "--checkpoint", "{M_npz}"])
    add("data loss", "train", "--checkpoint is the data set through a symlink",
        BASE["train"] + ["--checkpoint", "{dir}/sym.npz"],
        setup=lambda world: os.symlink(world["D_npz"], os.path.join(world["dir"], "sym.npz")))
    add("data loss", "evaluate", "--json is --model",
        with_option(BASE["evaluate"], "--json", "{M_npz}"))
    add("data loss", "evaluate", "--json is the model's data set",
        with_option(BASE["evaluate"], "--json", "{D_npz}"))
    add("data loss", "evaluate", "--json is an image of --figures",
        with_option(BASE["evaluate"], "--json", "{dir}/out/figs/basic_memories.png"))
    for command, name in (("compare", "compare.csv"), ("classify", "table1.csv"),
                          ("baselines", "table4.csv")):
        model = "M28_npz" if command == "baselines" else "M_npz"
        add("data loss", command, f"{name} in --out is a hard link to --model",
            with_option(BASE[command], "--out", "{dir}/linked"),
            setup=lambda world, name=name, model=model: (
                os.makedirs(os.path.join(world["dir"], "linked"), exist_ok=True),
                os.link(world[model], os.path.join(world["dir"], "linked", name))))
    add("data loss", "baselines", "table4.csv in --out is a hard link to --dataset",
        with_option(BASE["baselines"], "--out", "{dir}/linked"),
        setup=lambda world: (os.makedirs(os.path.join(world["dir"], "linked"), exist_ok=True),
                             os.link(world["D28_npz"],
                                     os.path.join(world["dir"], "linked", "table4.csv"))))

    # --- corrupt or malformed input files
    bad = _bad_files()
    for command, inputs in INPUTS.items():
        for option, kind in inputs.items():
            for name, make in bad.items():
                if kind.startswith("dataset") and name == "complex values":
                    continue  # images are integers; complex pixels are covered by NaN
                target = f"bad-{command}{option}-{name.replace(' ', '_')}.npz"
                add("corrupt file", command, f"{option} {name}",
                    with_option(BASE[command], option, "{dir}/" + target),
                    setup=_write(target, lambda path, world, make=make, kind=kind:
                                 make(path, world, kind)))
            add("corrupt file", command, f"{option} missing",
                with_option(BASE[command], option, "{dir}/does-not-exist.npz"))
            add("corrupt file", command, f"{option} is a folder",
                with_option(BASE[command], option, "{out}"))
    for command in ("compare", "evaluate", "classify"):
        for label, metadata in (("a JSON list", "[1, 2]"), ("a JSON string", '"mnist"'),
                                ("not JSON", "{dataset: mnist"), ("a number", "3"),
                                ("a data set of the wrong type", '{"dataset": 7}'),
                                ("a time of the wrong type", '{"tau_v": [1, 2]}'),
                                ("N_v that disagrees with the weights", '{"n_visible": 5}')):
            target = f"meta-{command}-{label.replace(' ', '_')}.npz"
            add("corrupt file", command, f"model metadata is {label}",
                with_option(BASE[command], "--model", "{dir}/" + target),
                setup=_write(target, _model_with_metadata(metadata)))
    add("corrupt file", "train", "--init corrupt",
        BASE["train"] + ["--init", "{dir}/bad-init.npz"],
        setup=_write("bad-init.npz", lambda path, world: open(path, "wb").write(b"PK\x03\x04!")))
    add("corrupt file", "train", "--init of another N_v",
        BASE["train"] + ["--init", "{M28_npz}"])
    add("corrupt file", "train", "--init of another N_h",
        with_option(BASE["train"], "--nh", "5") + ["--init", "{M_npz}"])
    add("corrupt file", "evaluate", "--dataset of another N_v",
        BASE["evaluate"] + ["--dataset", "{D28_npz}"])
    add("corrupt file", "compare", "--dataset of another N_v",
        BASE["compare"] + ["--dataset", "{D28_npz}"])
    add("corrupt file", "classify", "--dataset of another N_v",
        BASE["classify"] + ["--dataset", "{D28_npz}"])
    add("corrupt file", "baselines", "--dataset of 10 x 10 images",
        with_option(BASE["baselines"], "--dataset", "{D_npz}"))
    add("corrupt file", "train", "--dataset with labels of the wrong length",
        with_option(BASE["train"], "--dataset", "{dir}/labels.npz"),
        setup=_write("labels.npz", lambda path, world: np.savez(
            path, **dict(_arrays(world, "dataset"), y_train=np.arange(3)))))
    add("corrupt file", "train", "--dataset with pixels above 255",
        with_option(BASE["train"], "--dataset", "{dir}/bright.npz"),
        setup=_write("bright.npz", lambda path, world: np.savez(
            path, **dict(_arrays(world, "dataset"),
                         x_train=np.full((20, 10, 10), 1000.0)))))
    add("corrupt file", "train", "--dataset with no images",
        with_option(BASE["train"], "--dataset", "{dir}/none.npz"),
        setup=_write("none.npz", lambda path, world: np.savez(
            path, **dict(_arrays(world, "dataset"), x_train=np.zeros((0, 10, 10), np.uint8),
                         y_train=np.zeros(0, int)))))
    add("corrupt file", "train", "--dataset an unknown name",
        with_option(BASE["train"], "--dataset", "mnits"))
    add("corrupt file", "train", "--resume from a corrupt checkpoint",
        BASE["train"] + ["--checkpoint", "{dir}/bad-ckpt.npz", "--resume"],
        setup=_write("bad-ckpt.npz", lambda path, world: open(path, "wb").write(b"PK\x03\x04")))
    add("corrupt file", "train", "--resume from a model, not a checkpoint",
        BASE["train"] + ["--checkpoint", "{M_npz}", "--resume"])

    # --- bad numbers
    def numbers(command, option, values, base=None):
        for value in values:
            add("bad number", command, f"{option} {value}",
                with_option(base or BASE[command], option, value))

    for command in SIMULATION_COMMANDS:
        numbers(command, "--dt", ["-0.1ms", "0ms", "nanms", "infms", "2ms", "100", "0.1mV"])
        numbers(command, "--duration", ["0ms", "-5ms", "infms", "1e12s", "20"])
        numbers(command, "--tau-v", ["0ms", "-20ms", "nanms", "20"])
        numbers(command, "--tau-h", ["0ms", "-1ms", "infms"])
        numbers(command, "--steepness", ["nan", "-1", "inf", "0"])
        numbers(command, "--workers", ["0", "-1"])
        numbers(command, "--backend", ["gpu"])
        numbers(command, "--activation", ["relu", "power:n=nan", "sigmoid:k=-3"])
        numbers(command, "--formulation", ["fast"])
    numbers("recall", "--theta", ["nan", "inf", "-inf"])
    numbers("recall", "--batch-size", ["0", "-1"])
    numbers("recall", "--visible-nonlinearity", ["bogus", "power:n=nan"])
    numbers("capacity", "--nh", ["0", "-1", "64", "100000", "2 0"])
    numbers("capacity", "--ratio", ["nan", "inf", "0", "-1", "1e9"])
    numbers("capacity", "--theta", ["nan", "inf"])
    numbers("capacity", "--noise", ["nan", "-1", "inf"])
    numbers("capacity", "--max-patterns", ["0", "-1"])
    numbers("capacity", "--seed", ["-1", "1e3"])
    numbers("capacity", "--scheduler", ["nowhere"])
    numbers("compare", "--n", ["0", "-1", "1000000000000", "1.5"])
    numbers("compare", "--noise", ["nan", "-1", "inf"])
    numbers("compare", "--seed", ["-1"])
    numbers("compare", "--scheduler", ["nowhere"])
    random_compare = with_option(BASE["compare"], "--model") + ["--random"]
    numbers("compare", "--nh", ["0", "-3", "100000"], base=random_compare)
    numbers("compare", "--ratio", ["nan", "inf", "0", "1e9"], base=random_compare)
    numbers("train", "--nh", ["0", "-1", "100000000"])
    numbers("train", "--epochs", ["0", "-1"])
    numbers("train", "--batch-size", ["0", "-5"])
    numbers("train", "--lr", ["nan", "-1", "0", "inf"])
    numbers("train", "--lr-end", ["nan", "-1"])
    numbers("train", "--steepness", ["nan", "0", "-1", "inf"])
    numbers("train", "--steepness-end", ["nan", "-2"])
    numbers("train", "--theta-mode", ["local"])
    numbers("train", "--margin", ["nan", "-1"])
    numbers("train", "--margin-weight", ["nan", "-1"])
    numbers("train", "--fixed-point-margin", ["nan", "-0.5"])
    numbers("train", "--collision-boost", ["nan", "0", "-1"])
    numbers("train", "--collision-weight-cap", ["nan", "0.5"])
    numbers("train", "--limit", ["0", "-1"])
    numbers("train", "--seed", ["-1"])
    numbers("evaluate", "--split", ["validation"])
    numbers("evaluate", "--limit", ["0", "-1"])
    numbers("classify", "--limit-train", ["0", "-1"])
    numbers("classify", "--limit-test", ["0"])
    numbers("classify", "--epochs", ["0", "-1"])
    numbers("classify", "--seed", ["-1"])
    numbers("baselines", "--n-memories", ["0", "-1", "1000000000"])
    numbers("baselines", "--n-draws", ["0", "-1"])
    numbers("baselines", "--beta", ["nan", "0", "-1", "inf"])
    numbers("baselines", "--cues", ["blurred"])
    numbers("baselines", "--seed", ["-1"])
    numbers("baselines", "--epochs", ["0"])
    numbers("baselines", "--backend", ["gpu"])
    numbers("hebbian", "--delta", ["nan", "-0.1", "0.5"])
    numbers("hebbian", "--epsilon", ["nan", "0", "1"])
    numbers("hebbian", "--units", ["1", "0", "1000000000"])
    numbers("hebbian", "--activity", ["nan", "0", "2"])
    numbers("hebbian", "--max-bit-error", ["nan", "-1"])
    numbers("hebbian", "--n-draws", ["0", "-2"])
    numbers("hebbian", "--rules", ["bogus"])
    numbers("hebbian", "--seed", ["-1"])
    numbers("hebbian", "--workers", ["0"])
    numbers("hebbian", "--backend", ["gpu"])

    # --- silently accepted nonsense (each used to run)
    for spec in ("spiking:gain=-5", "spiking:gain=inf", "spiking:initial_membrane=nan",
                 "spiking:bogus=1", "sparse:shared=7", "sparse:p=2", "sparse:p=0",
                 "asymmetric:rho=2", "heterogeneous:spread=-1", "dale:tau_inhibitory=-1ms",
                 "dale:tau_inhibitory=5", "nonsense", "rate:x=1", "spiking:gain=abc"):
        add("silent acceptance", "compare", f"--variants {spec}",
            with_option(BASE["compare"], "--variants", spec))
    for spec in ("spiking:gain=-5", "lif:bogus=1", "bogus"):
        add("silent acceptance", "recall", f"--hidden-neuron {spec}",
            with_option(BASE["recall"], "--hidden-neuron", spec))
    for spec in ("sparse:shared=7", "sparse:p=2", "dale:tau_inhibitory=-1ms", "bogus"):
        add("silent acceptance", "recall", f"--constraint {spec}",
            with_option(BASE["recall"], "--constraint", spec))
    add("silent acceptance", "compare", "--n above the data set size",
        with_option(BASE["compare"], "--n", "50"))
    add("silent acceptance", "evaluate", "--limit above the data set size",
        with_option(BASE["evaluate"], "--limit", "500"))
    add("silent acceptance", "train", "--limit above the data set size",
        BASE["train"] + ["--limit", "500"])
    add("silent acceptance", "classify", "--limit-train above the data set size",
        with_option(BASE["classify"], "--limit-train", "500"))
    add("silent acceptance", "evaluate", "--json ''", with_option(BASE["evaluate"], "--json", ""))
    add("silent acceptance", "train", "--resume with fewer epochs than done",
        with_option(with_option(with_option(BASE["train"], "--nh", "4"), "--epochs", "1"),
                    "--batch-size", "10") + ["--checkpoint", "{ckpt_npz}", "--resume"])
    add("silent acceptance", "train", "--resume with another --nh",
        with_option(with_option(BASE["train"], "--nh", "5"), "--epochs", "3")
        + ["--checkpoint", "{ckpt_npz}", "--resume"])
    add("silent acceptance", "train", "--resume with another --seed",
        with_option(with_option(BASE["train"], "--nh", "4"), "--epochs", "3")
        + ["--seed", "9", "--checkpoint", "{ckpt_npz}", "--resume"])
    add("silent acceptance", "train", "--resume from a tampered epoch counter",
        with_option(with_option(BASE["train"], "--nh", "4"), "--epochs", "3")
        + ["--checkpoint", "{dir}/tampered.npz", "--resume"],
        setup=_write("tampered.npz", _tamper_epoch))
    add("silent acceptance", "train", "--resume without a checkpoint",
        BASE["train"] + ["--checkpoint", "{dir}/none.ckpt.npz", "--resume"])

    # --- concurrency: another process holds the output
    for command, argv in BASE.items():
        option, kind = OUTPUT[command]
        add("concurrency", command, "output held by another bioam process",
            _locked(argv, option, kind))

    found.extend(api_cases())
    return found


def _tamper_epoch(path, world):
    with np.load(world["ckpt_npz"], allow_pickle=False) as data:
        arrays = {key: np.array(data[key]) for key in data.files}
    arrays["epoch"] = np.array(-7)
    np.savez(path, **arrays)


def _locked(argv, option, kind):
    """A call running ``argv`` while another process holds the lock of its output."""
    def call(world):
        import subprocess

        from bioam.cli import main
        from bioam.locks import lock_path

        index = argv.index(option) + 1
        out = argv[index].format(**world)
        target = out if kind == "file" else os.path.join(out, _FIRST_FILE[argv[0]])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        holder = subprocess.Popen(
            [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
             "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
             lock_path(target)], stdout=subprocess.PIPE, text=True)
        try:
            holder.stdout.readline()
            return main([part.format(**world) for part in argv])
        finally:
            holder.kill()
            holder.wait()
            for path in (lock_path(target),):
                if os.path.exists(path):
                    os.unlink(path)
            if kind == "folder" and not os.listdir(out):
                os.rmdir(out)
    return call


_FIRST_FILE = {"capacity": "capacity.csv", "compare": "compare.csv", "classify": "table1.csv",
               "baselines": "table4.csv", "hebbian": "capacity.csv"}


# ----------------------------------------------------------------------------- the API

def api_cases():
    """Bad arguments to the library's entry points; each must raise `BioamError` first."""
    from brian2 import mV, ms

    found = []
    rng = np.random.default_rng(1)
    xi = rng.standard_normal((60, 3))
    cues = rng.standard_normal((2, 60))
    quick = dict(backend="numpy", duration=10 * ms)

    def add(klass, name, call):
        found.append(Case(klass, "api", name, call))

    def recall_with(**changes):
        def call(world):
            import bioam

            kwds = dict(quick, **changes)
            arguments = {"xi": kwds.pop("xi", xi), "cues": kwds.pop("cues", cues)}
            bioam.recall(arguments["xi"], arguments["cues"], **kwds)
        return call

    def nan_cues():
        bad = cues.copy()
        bad[0, 0] = np.nan
        return bad

    add("corrupt file", "recall: complex weights", recall_with(xi=xi * 1j))
    add("corrupt file", "recall: 1-D weights", recall_with(xi=xi[:, 0]))
    add("corrupt file", "recall: empty weights", recall_with(xi=np.zeros((0, 3))))
    add("corrupt file", "recall: string weights", recall_with(xi="xi.npz"))
    add("corrupt file", "recall: NaN cues", recall_with(cues=nan_cues()))
    add("corrupt file", "recall: cues of another N_v", recall_with(cues=cues[:, :50]))
    add("corrupt file", "recall: xi_back of the wrong shape", recall_with(xi_back=xi))
    add("bad number", "recall: theta with units (0.5 mV)", recall_with(theta=0.5 * mV))
    add("bad number", "recall: theta NaN", recall_with(theta=np.nan))
    add("bad number", "recall: theta of the wrong length", recall_with(theta=[0.5, 0.5]))
    add("bad number", "recall: negative dt", recall_with(dt=-0.1 * ms))
    add("bad number", "recall: dt without units", recall_with(dt=0.1))
    add("bad number", "recall: dt in volts", recall_with(dt=0.1 * mV))
    add("bad number", "recall: tau_v without units", recall_with(tau_v=20))
    add("bad number", "recall: negative duration", recall_with(duration=-5 * ms))
    add("bad number", "recall: batch_size 0", recall_with(batch_size=0))
    add("bad number", "recall: unknown backend", recall_with(backend="gpu"))
    add("bad number", "recall: unknown activation", recall_with(activation="relu"))
    add("bad number", "recall: steepness NaN", recall_with(activation="sigmoid",
                                                           steepness=np.nan))
    add("bad number", "recall: record_dt below dt", recall_with(record_dt=0.001 * ms))
    add("bad number", "recall: unknown keyword", recall_with(tau=5 * ms))
    add("silent acceptance", "recall: spiking gain -5",
        recall_with(hidden_neuron="spiking:gain=-5"))
    add("silent acceptance", "recall: sparse shared=7",
        recall_with(constraints=["sparse:shared=7"]))
    add("silent acceptance", "recall: constraint of the wrong type", recall_with(constraints=[7]))

    def session_with(**changes):
        def call(world):
            from bioam import RecallSession

            with RecallSession(xi, **dict(quick, **changes)):
                pass
        return call

    add("bad number", "RecallSession: theta with units", session_with(theta=0.5 * mV))
    add("bad number", "RecallSession: negative dt", session_with(dt=-0.1 * ms))
    add("bad number", "RecallSession: unknown backend", session_with(backend="gpu"))

    def session_recall(bad_cues):
        def call(world):
            from bioam import RecallSession

            with RecallSession(xi, **quick) as session:
                session.recall(bad_cues)
        return call

    add("corrupt file", "RecallSession.recall: NaN cues", session_recall(nan_cues()))
    add("corrupt file", "RecallSession.recall: cues of another N_v", session_recall(cues[:, :5]))

    def build_with(**changes):
        def call(world):
            from brian2 import start_scope

            import bioam

            start_scope()
            bioam.build_network(changes.pop("xi", xi), **changes)
        return call

    add("bad number", "build_network: theta with units", build_with(theta=0.5 * mV))
    add("bad number", "build_network: negative tau_v", build_with(tau_v=-1 * ms))
    add("bad number", "build_network: tau_h without units", build_with(tau_h=1))
    add("bad number", "build_network: n_copies 0", build_with(n_copies=0))
    add("bad number", "build_network: n_copies too large for memory",
        build_with(n_copies=10**9))
    add("bad number", "build_network: connection probability 2",
        build_with(connection_probability=2))
    add("bad number", "build_network: unknown formulation", build_with(formulation="fast"))
    add("silent acceptance", "build_network: spiking gain inf",
        build_with(hidden_neuron="spiking:gain=inf"))
    add("silent acceptance", "build_network: external input to an unknown layer",
        build_with(external_input=["visual"]))
    add("silent acceptance", "build_network: name not a string", build_with(name=7))

    def set_cues(bad):
        def call(world):
            from brian2 import start_scope

            import bioam

            start_scope()
            memory = bioam.build_network(xi)
            memory.set_cues(bad)
        return call

    add("silent acceptance", "AssociativeMemory.set_cues: NaN", set_cues(nan_cues()))
    add("corrupt file", "AssociativeMemory.set_cues: another N_v", set_cues(cues[:, :10]))

    def reference_with(**changes):
        def call(world):
            import bioam

            kwds = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=10 * ms)
            kwds.update(changes)
            bioam.reference_recall(xi, cues, **kwds)
        return call

    add("bad number", "reference_recall: negative dt", reference_with(dt=-0.1 * ms))
    add("bad number", "reference_recall: theta with units", reference_with(theta=0.5 * mV))
    add("bad number", "fixed_point_hidden_state: wrong length",
        lambda world: __import__("bioam").fixed_point_hidden_state(xi, np.ones(5)))

    def config_with(**changes):
        def call(world):
            from bioam.training import TrainingConfig

            TrainingConfig(**dict(TRAIN_CONFIG, **changes))
        return call

    for name, value in (("n_hidden", 0), ("epochs", -1),
                        ("batch_size", 0), ("learning_rate", np.nan), ("steepness", -1.0),
                        ("theta_mode", "local"), ("seed", -1), ("margin", np.inf),
                        ("surrogate", "relu")):
        add("bad number", f"TrainingConfig: {name}={value}", config_with(**{name: value}))

    def train_with(images=None, n_hidden=None, **kwds):
        def call(world):
            from bioam.training import TrainingConfig, train

            data = np.random.default_rng(0).random((20, 100)) if images is None else images
            config = dict(TRAIN_CONFIG, **({} if n_hidden is None else {"n_hidden": n_hidden}))
            train(data, TrainingConfig(**config), progress=None, **kwds)
        return call

    add("bad number", "train: N_h = 10^8 (memory)", train_with(n_hidden=10**8))
    add("corrupt file", "train: NaN images", train_with(np.full((20, 100), np.nan)))
    add("corrupt file", "train: 1-D images", train_with(np.ones(100)))
    add("corrupt file", "train: no images", train_with(np.zeros((0, 100))))
    add("silent acceptance", "train: resume without a checkpoint path", train_with(resume=True))
    add("data loss", "train: checkpoint_path is the data set",
        lambda world: train_with(checkpoint_path=world["D_npz"])(world))

    def save_with(path_key=None, **changes):
        def call(world):
            from bioam.models import save_model

            kwds = dict(xi=xi, theta=0.5)
            kwds.update(changes)
            path = os.path.join(world["dir"], "out", "saved.npz") if path_key is None \
                else world[path_key]
            save_model(path, kwds.pop("xi"), kwds.pop("theta"), **kwds)
        return call

    add("corrupt file", "save_model: complex weights", save_with(xi=xi * 1j))
    add("bad number", "save_model: theta NaN", save_with(theta=np.nan))
    add("output path", "save_model: path is a folder", save_with(path_key="out"))
    add("silent acceptance", "save_model: metadata not JSON-able",
        save_with(metadata={"f": object()}))

    def load(kind, key):
        def call(world):
            from bioam import io, models

            function = {"model": models.load_model, "weights": io.load_weights}[kind]
            function(world[key])
        return call

    add("corrupt file", "load_model: a data set", load("model", "D_npz"))
    add("corrupt file", "load_model: missing", load("model", "read_only"))
    add("corrupt file", "load_weights: a data set", load("weights", "D_npz"))

    def capacity_with(**changes):
        def call(world):
            from bioam.capacity import capacity_experiment

            kwds = dict(ratio=50, backend="numpy", duration=10 * ms, scheduler="inline")
            kwds.update(changes)
            capacity_experiment(kwds.pop("nh", [2]), **kwds)
        return call

    add("bad number", "capacity_experiment: ratio NaN", capacity_with(ratio=np.nan))
    add("bad number", "capacity_experiment: max_patterns 0", capacity_with(max_patterns=0))
    add("bad number", "capacity_experiment: N_h 0", capacity_with(nh=[0]))
    add("bad number", "capacity_experiment: seed -1", capacity_with(seed=-1))

    def compare_with(variants):
        def call(world):
            from bioam.compare import compare_variants

            compare_variants(xi, cues, variants, backend="numpy", scheduler="inline",
                             timing=dict(duration=10 * ms))
        return call

    add("silent acceptance", "compare_variants: unknown variant", compare_with(["nonsense"]))
    add("silent acceptance", "compare_variants: spiking gain -5",
        compare_with(["spiking:gain=-5"]))
    add("silent acceptance", "compare_variants: sparse shared 7",
        compare_with(["sparse:shared=7"]))

    def hebbian(call):
        def run(world):
            call()
        return run

    import importlib

    hebbian_capacity = importlib.import_module("bioam.hebbian.capacity")

    add("bad number", "hebbian capacity: unknown rule",
        hebbian(lambda: hebbian_capacity.capacity("bogus", 10)))
    add("bad number", "hebbian random_patterns: -1 patterns",
        hebbian(lambda: hebbian_capacity.random_patterns(-1, 10)))
    add("bad number", "hebbian capacity: delta NaN",
        hebbian(lambda: hebbian_capacity.capacity("hebb", 10, delta=np.nan)))
    return found


def markdown_table(record):
    """The counts of an audit record as a Markdown table: cases by class and command."""
    commands = [command for command in COMMANDS
                if any(command in row for row in record["by_class"].values())]
    lines = ["| class | " + " | ".join(f"`{c}`" if c != "api" else "API" for c in commands)
             + " | all | refused cleanly |",
             "|---" * (len(commands) + 3) + "|"]
    for klass, row in record["by_class"].items():
        counts = [sum(row[c].values()) if c in row else 0 for c in commands]
        clean = sum(row[c]["clean"] for c in row)
        lines.append(f"| {klass} | " + " | ".join(str(n) if n else "–" for n in counts)
                     + f" | {sum(counts)} | {clean} |")
    totals = record["totals"]
    lines.append(f"| **all** | " + " | ".join(
        str(sum(sum(row[c].values()) for row in record["by_class"].values() if c in row))
        for c in commands) + f" | {record['cases']} | {totals['clean']} |")
    other = ", ".join(f"{totals[name]} {name}" for name in OUTCOMES if name != "clean")
    return "\n".join(lines) + f"\n\nOther outcomes: {other}.\n"


def replace_table(text, name, table):
    """``text`` with the lines between ``<!-- table:NAME -->`` and ``<!-- end:NAME -->`` set."""
    start, end = f"<!-- table:{name} -->", f"<!-- end:{name} -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{table}{end}{tail}"
