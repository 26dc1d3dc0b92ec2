"""
Kill tests: ``bioam train``, ``evaluate`` and ``compare`` killed with SIGKILL leave every earlier
output intact, and the next run leaves no orphan file.

Each command is run once to completion (the earlier outputs), then several times more and
killed: at random moments (seeded): uniformly over its work and late in it (the work starts when
the run holds its output locks, and is timed by the first run), and a few milliseconds after a
randomly chosen write has created its temporary; then deterministically inside every one of its
atomic writes (a wrapper around `bioam.io._write_atomic` writes part of the file to the
temporary and SIGKILLs its own process before the rename), and right after the rename of one
write (for ``train``, the last checkpoint's, while the previous checkpoint is still kept aside
under a temporary name). After each kill every earlier output
must be the very file it was, or a whole, valid new one that the killed run had finished
(atomic replacement); the inputs must be untouched; and the output folders may hold nothing but
the outputs, temporaries of killed writers and lock files. Then the command is run once more
to completion (``train`` with ``--resume``, which must end at the weights of the first run bit
for bit), and the output folders must hold exactly the outputs: every temporary and lock file
of the killed runs is gone.

The counts are printed (run with ``-s``). About two to three minutes: each run starts a Python
that imports Brian2.
"""

import csv
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from bioam.compare import COMPARE_COLUMNS
from bioam.io import TEMPORARY_PREFIX
from bioam.locks import SUFFIX as LOCK_SUFFIX
from bioam.locks import lock_path
from bioam.models import load_model, save_model
from bioam.training import is_checkpoint

pytestmark = pytest.mark.slow

SEED = 20260127
RANDOM_KILLS = 3  # per command, besides one kill inside each of its writes
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"

#: ``python -c KILL_IN_WRITE ARGS...`` runs ``bioam ARGS...`` and SIGKILLs itself inside its
#: BIOAM_TEST_KILL_WRITE-th atomic write: the first BIOAM_TEST_KILL_FRACTION of the file's bytes
#: are in the temporary (flushed to disk), the rename has not happened; or, with
#: BIOAM_TEST_KILL_FRACTION=renamed, right after the rename (the write done, nothing after it).
KILL_IN_WRITE = r"""
import io, os, signal, sys
import bioam.io

target = int(os.environ["BIOAM_TEST_KILL_WRITE"])
fraction = os.environ["BIOAM_TEST_KILL_FRACTION"]
real_write_atomic = bioam.io._write_atomic
count = 0


def _write_atomic(path, suffix, write):
    global count
    count += 1
    if count != target:
        return real_write_atomic(path, suffix, write)
    if fraction == "renamed":
        real_write_atomic(path, suffix, write)
        print(f"bioam-test: SIGKILL after write {count} of {os.fspath(path)}", file=sys.stderr,
              flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    def write_part_then_die(stream):
        whole = io.BytesIO()
        write(whole)
        data = whole.getvalue()
        part = data[:int(len(data) * float(fraction))]
        stream.write(part)
        stream.flush()
        os.fsync(stream.fileno())
        print(f"bioam-test: SIGKILL in write {count} of {os.fspath(path)} after {len(part)} of "
              f"{len(data)} bytes", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    return real_write_atomic(path, suffix, write_part_then_die)


bioam.io._write_atomic = _write_atomic
from bioam.cli import main

sys.exit(main(sys.argv[1:]))
"""


# ---------------------------------------------------------------------------------------------
# what each output must be


def _check_npz(path):
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None, f"{path}: a member fails its CRC"
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            data[key]


def _check_model(path):
    _check_npz(path)
    model = load_model(path)
    assert model["xi"].shape == (100, 4)


def _check_checkpoint(path):
    assert is_checkpoint(path), f"{path} is not a checkpoint"
    _check_npz(path)
    with np.load(path, allow_pickle=False) as data:
        assert 1 <= int(data["epoch"]) <= 3


def _check_png(path):
    data = open(path, "rb").read()
    assert data.startswith(PNG_SIGNATURE) and data.endswith(PNG_END), f"{path}: not a whole PNG"


def _check_json(path):
    report = json.loads(open(path, encoding="utf-8").read())
    assert report["n_memories"] == 5


def _check_csv(path):
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == COMPARE_COLUMNS and [row[0] for row in rows[1:]] == ["rate", "asymmetric"]


COMMANDS = {
    "train": dict(
        args=["train", "--dataset", "D.npz", "--nh", "4", "--epochs", "3", "--batch-size", "8",
              "--limit", "20", "--out", "models/M.npz", "--checkpoint", "checkpoints/M.ckpt.npz",
              "--quiet"],
        final=["--resume"],  # a killed training is resumed
        inputs=["D.npz"],
        # in the order they are written: a checkpoint after each epoch, then the model
        writes=["checkpoints/M.ckpt.npz"] * 3 + ["models/M.npz"],
        # then killed right after the last checkpoint, with the previous one still kept aside
        renamed=[3],
        outputs={"checkpoints/M.ckpt.npz": _check_checkpoint, "models/M.npz": _check_model}),
    "evaluate": dict(
        args=["evaluate", "--model", "M.npz", "--dataset", "D.npz", "--limit", "5",
              "--json", "report/evaluate.json", "--figures", "figures", "--backend", "numpy",
              "--duration", "5ms", "--quiet"],
        final=[],
        inputs=["D.npz", "M.npz"],
        writes=["figures/recall_examples.png", "figures/basic_memories.png",
                "report/evaluate.json"],
        renamed=[3],
        outputs={"figures/recall_examples.png": _check_png,
                 "figures/basic_memories.png": _check_png,
                 "report/evaluate.json": _check_json}),
    "compare": dict(
        args=["compare", "--model", "M.npz", "--dataset", "D.npz", "--n", "3", "--variants",
              "asymmetric", "--scheduler", "inline", "--out", "compare", "--backend", "numpy",
              "--duration", "5ms", "--quiet"],
        final=[],
        inputs=["D.npz", "M.npz"],
        writes=["compare/compare.csv", "compare/compare.png"],
        renamed=[2],
        outputs={"compare/compare.csv": _check_csv, "compare/compare.png": _check_png}),
}


# ---------------------------------------------------------------------------------------------
# running and killing


def _sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _environment(tmp_path):
    system_tmp = tmp_path / "system_tmp"  # Brian2's debug logs, to count what kills leave
    system_tmp.mkdir(exist_ok=True)
    return dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", TMPDIR=str(system_tmp))


def _start(tmp_path, args, wrapper=False, **env):
    command = [sys.executable] + (["-c", KILL_IN_WRITE] if wrapper else ["-m", "bioam"])
    return subprocess.Popen(command + list(args), cwd=tmp_path,
                            env=dict(_environment(tmp_path), **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process, timeout=300):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def _locked_at(process, lock, timeout=180):
    """When ``process`` holds the output lock ``lock`` (its pid is in it); None if it ended."""
    pid = str(process.pid).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(lock, "rb") as stream:
                if stream.read() == pid:
                    return time.monotonic()
        except FileNotFoundError:
            pass
        if process.poll() is not None:
            return None
        time.sleep(0.002)
    raise AssertionError(f"no output lock after {timeout} s")


def _write_started(process, tmp_path, spec, nth):
    """Wait until the ``nth`` atomic write of ``process`` has created its temporary."""
    folders = [tmp_path / folder for folder in _folders(spec)]
    seen, asides, pid = set(), set(), f"_{process.pid}_"
    while process.poll() is None:
        for folder in folders:
            for entry in os.scandir(folder):
                name = entry.path
                if (not entry.name.startswith(TEMPORARY_PREFIX) or pid not in entry.name
                        or entry.name.endswith(".probe") or name in seen or name in asides):
                    continue
                try:
                    if entry.stat().st_nlink > 1:  # train's link to the previous checkpoint
                        asides.add(name)
                        continue
                except FileNotFoundError:
                    pass
                seen.add(name)
                if len(seen) == nth:
                    return
        time.sleep(0.0005)


def _folders(spec):
    return sorted({os.path.dirname(name) for name in spec["outputs"]})


def _snapshot(tmp_path, spec):
    """SHA-256 of every file in the output folders, by path relative to ``tmp_path``."""
    files = {}
    for folder in _folders(spec):
        for name in os.listdir(tmp_path / folder):
            files[f"{folder}/{name}"] = _sha256(tmp_path / folder / name)
    return files


def _check_outputs(tmp_path, spec):
    for name, check in spec["outputs"].items():
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, f"{name} is missing or empty"
        check(path)


def _check_after_kill(tmp_path, spec, inputs, before, pid, tally):
    """Earlier outputs intact or whole new ones; inputs untouched; only known leftovers."""
    for name, digest in inputs.items():
        assert _sha256(tmp_path / name) == digest, f"the input {name} changed"
    for name, check in spec["outputs"].items():
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, f"{name} is missing or empty"
        if _sha256(path) == before[name]:
            tally["outputs kept"] += 1
        else:  # the killed run had replaced it, atomically, with a whole file
            check(path)
            tally["outputs replaced by a whole new file"] += 1
    landed = []
    for folder in _folders(spec):
        for entry in os.scandir(tmp_path / folder):
            relative = f"{folder}/{entry.name}"
            if relative in spec["outputs"]:
                continue
            if entry.name.startswith(".") and entry.name.endswith(LOCK_SUFFIX):
                continue  # a lock file: its lock died with its holder
            assert entry.name.startswith(TEMPORARY_PREFIX), f"unexpected file {relative}"
            if f"_{pid}_" not in entry.name:
                continue  # left by an earlier kill
            if entry.name.endswith(".probe"):
                landed.append("an output-folder check")
            elif before.get(f"{folder}/M.ckpt.npz") == _sha256(entry.path):
                landed.append("training (the previous checkpoint kept aside)")
            else:
                landed.append(f"a write of {folder}/")
    return landed


def _orphans(tmp_path, spec):
    found = []
    for folder in _folders(spec):
        found += [f"{folder}/{name}" for name in os.listdir(tmp_path / folder)
                  if f"{folder}/{name}" not in spec["outputs"]]
    return found


@pytest.fixture
def inputs(tmp_path):
    """A small MNIST-layout data set (10 x 10 images) and a model of it."""
    rng = np.random.default_rng(0)
    images = (rng.random((30, 10, 10)) * 255).astype(np.uint8)
    np.savez(tmp_path / "D.npz", x_train=images[:20], y_train=np.arange(20) % 2,
             x_test=images[20:], y_test=np.arange(10) % 2)
    save_model(tmp_path / "M.npz", rng.standard_normal((100, 4)), 0.5,
               metadata={"dataset": "D.npz"})
    return tmp_path


@pytest.mark.parametrize("command", list(COMMANDS))
def test_sigkill_leaves_earlier_outputs_intact_and_the_next_run_no_orphans(inputs, command):
    tmp_path, spec = inputs, COMMANDS[command]
    rng = random.Random(f"{SEED}-{command}")
    started = time.monotonic()
    tally = {key: 0 for key in ("random kills", "random kills in a write",
                                "random kills that found the run finished", "write kills",
                                "outputs kept", "outputs replaced by a whole new file")}
    landings = []
    lock = lock_path(tmp_path / spec["writes"][-1])
    input_digests = {name: _sha256(tmp_path / name) for name in spec["inputs"]}

    # the earlier outputs, and how long the work takes once the outputs are locked
    process = _start(tmp_path, spec["args"])
    locked = _locked_at(process, lock)
    code, out, err = _finish(process)
    work_seconds = time.monotonic() - locked
    assert code == 0, err
    _check_outputs(tmp_path, spec)
    assert _orphans(tmp_path, spec) == []
    if command == "train":
        first_model = load_model(tmp_path / "models/M.npz")

    # kills at random moments: uniform over the work, late in it (around the writes), and a
    # few milliseconds after a randomly chosen write has created its temporary
    for kill in range(RANDOM_KILLS):
        before = _snapshot(tmp_path, spec)
        process = _start(tmp_path, spec["args"])
        locked = _locked_at(process, lock)
        assert locked is not None, _finish(process)[2]
        if kill < 2:
            share = rng.uniform(0.0, 1.0) if kill == 0 else rng.uniform(0.6, 1.05)
            when = f"random at {share:.0%} of the work"
            time.sleep(max(0.0, locked + share * work_seconds - time.monotonic()))
        else:
            nth, delay = rng.randint(1, len(spec["writes"])), rng.uniform(0.0, 0.005)
            when = f"random {delay * 1000:.1f} ms after write {nth} began"
            _write_started(process, tmp_path, spec, nth)
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code, out, err = _finish(process)
        tally["random kills"] += 1
        if code == 0:
            tally["random kills that found the run finished"] += 1
            _check_outputs(tmp_path, spec)
            continue
        assert code == -signal.SIGKILL, err
        landed = _check_after_kill(tmp_path, spec, input_digests, before, process.pid, tally)
        if any(where.startswith("a write") for where in landed):
            tally["random kills in a write"] += 1
        landings.append((when, landed))

    # a kill inside every write of the command, part of the file in the temporary
    for index, target in enumerate(spec["writes"], start=1):
        before = _snapshot(tmp_path, spec)
        fraction = round(rng.uniform(0.05, 1.0), 2)
        process = _start(tmp_path, spec["args"], wrapper=True,
                         BIOAM_TEST_KILL_WRITE=str(index),
                         BIOAM_TEST_KILL_FRACTION=str(fraction))
        code, out, err = _finish(process)
        assert code == -signal.SIGKILL and f"SIGKILL in write {index} of {target}" in err, err
        tally["write kills"] += 1
        landed = _check_after_kill(tmp_path, spec, input_digests, before, process.pid, tally)
        earlier = spec["writes"][:index - 1].count(target)  # this run wrote it already
        if earlier == 0:
            assert _sha256(tmp_path / target) == before[target]  # killed before its rename
        else:  # a checkpoint: the one of the epoch before
            with np.load(tmp_path / target, allow_pickle=False) as data:
                assert int(data["epoch"]) == earlier
        assert f"a write of {os.path.dirname(target)}/" in landed
        landings.append((f"in write {index} ({target}, {fraction:.0%} of it written)", landed))

    # a kill right after a rename: that output new and whole, the run's other files left
    for index in spec["renamed"]:
        target = spec["writes"][index - 1]
        before = _snapshot(tmp_path, spec)
        old_inode = os.stat(tmp_path / target).st_ino
        process = _start(tmp_path, spec["args"], wrapper=True, BIOAM_TEST_KILL_WRITE=str(index),
                         BIOAM_TEST_KILL_FRACTION="renamed")
        code, out, err = _finish(process)
        assert code == -signal.SIGKILL and f"SIGKILL after write {index} of {target}" in err, err
        tally["write kills"] += 1
        landed = _check_after_kill(tmp_path, spec, input_digests, before, process.pid, tally)
        assert os.stat(tmp_path / target).st_ino != old_inode  # the new file (checked whole)
        landings.append((f"right after write {index} ({target})", landed))

    # the next run: completes, valid outputs, nothing else left in the output folders
    leftovers = _orphans(tmp_path, spec)
    process = _start(tmp_path, spec["args"] + spec["final"])
    code, out, err = _finish(process)
    assert code == 0, err
    _check_outputs(tmp_path, spec)
    for name, digest in input_digests.items():
        assert _sha256(tmp_path / name) == digest, f"the input {name} changed"
    assert _orphans(tmp_path, spec) == [], "orphans after the next run"
    assert not [name for name in os.listdir(tmp_path) if name.startswith("brian_debug")]
    if command == "train":  # resumed from whatever checkpoint the kills left: same weights
        model = load_model(tmp_path / "models/M.npz")
        assert model["xi"].tobytes() == first_model["xi"].tobytes()
        assert np.asarray(model["theta"]).tobytes() == np.asarray(first_model["theta"]).tobytes()
    brian_logs = [name for name in os.listdir(tmp_path / "system_tmp")
                  if name.startswith("brian_")]

    print(f"\n{command}: {time.monotonic() - started:.0f} s; work after locking "
          f"{work_seconds:.2f} s; seed {SEED}")
    for key, value in tally.items():
        print(f"  {key}: {value}")
    for when, landed in landings:
        print(f"  kill {when}: in {', '.join(landed) or 'no write (no temporary left)'}")
    print(f"  left in the output folders before the next run: {len(leftovers)} "
          f"({sum(LOCK_SUFFIX in name for name in leftovers)} lock files, "
          f"{sum(TEMPORARY_PREFIX in name for name in leftovers)} temporaries); after it: 0")
    print(f"  Brian2 files left in TMPDIR by the kills (not bioam outputs): {len(brian_logs)} "
          f"({', '.join(sorted(brian_logs))})")
