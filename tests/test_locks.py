"""Output locks: a second process writing the same output is refused; kills leave nothing."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from bioam.cli import main
from bioam.locks import OutputLocks, lock_path
from bioam.validation import BioamError

HOLD = """
import sys, time
from bioam.locks import OutputLocks
locks = OutputLocks([sys.argv[1]]).acquire()
print("held", flush=True)
time.sleep(60)
"""


def _holder(path):
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path):
    path = tmp_path / "model.npz"
    holder = _holder(path)
    try:
        with pytest.raises(BioamError, match=f"pid {holder.pid}.*model.npz"):
            OutputLocks([path]).acquire()
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_no_lock_after_the_next_command(tmp_path):
    path = tmp_path / "model.npz"
    holder = _holder(path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert os.path.exists(lock_path(path))  # the file is left, its lock is not
    with OutputLocks([path]):
        pass
    assert os.listdir(tmp_path) == []


def test_locks_are_released_when_a_later_output_is_taken(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    holder = _holder(second)
    try:
        with pytest.raises(BioamError):
            OutputLocks([first, second]).acquire()
        with OutputLocks([first]):  # the first lock was given back
            pass
    finally:
        holder.kill()
        holder.wait()


def test_cli_refuses_an_output_another_command_is_writing(tmp_path, capsys):
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((40, 3))
    np.savez(tmp_path / "W.npz", xi=xi)
    np.savez(tmp_path / "C.npz", cues=xi[:, :1].T)
    out = tmp_path / "R.npz"
    arguments = ["recall", "--weights", str(tmp_path / "W.npz"), "--cues",
                 str(tmp_path / "C.npz"), "--out", str(out), "--backend", "numpy",
                 "--duration", "5ms", "--dt", "0.1ms"]
    with OutputLocks([out]):
        started = time.perf_counter()
        assert main(arguments) == 2
        assert time.perf_counter() - started < 5  # refused before any simulation
    error = capsys.readouterr().err
    assert error.startswith("bioam: error: another bioam process") and "Traceback" not in error
    assert not out.exists()
    assert main(arguments) == 0 and out.exists()
    assert sorted(os.listdir(tmp_path)) == ["C.npz", "R.npz", "W.npz"]  # no lock file left
