"""The command-line interface: end-to-end runs and one-line errors for bad input."""

import csv

import numpy as np
import pytest
from brian2 import ms

from bioam import reference_recall
from bioam.cli import main


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(2)
    xi = rng.standard_normal((80, 4))
    theta = np.array([0.4, 0.5, 0.6, 0.5])
    cues = rng.standard_normal((5, 80))
    np.savez(tmp_path / "W.npz", xi=xi, theta=theta)
    np.savez(tmp_path / "C.npz", cues=cues)
    return {"dir": tmp_path, "xi": xi, "theta": theta, "cues": cues,
            "W": str(tmp_path / "W.npz"), "C": str(tmp_path / "C.npz"),
            "R": str(tmp_path / "R.npz")}


def run_error(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("bioam: error:")
    assert len(err.splitlines()) == 1, err
    return err


def test_recall_end_to_end(files, capsys):
    argv = ["recall", "--weights", files["W"], "--cues", files["C"], "--out", files["R"],
            "--backend", "numpy", "--duration", "30ms", "--dt", "0.1ms", "--quiet"]
    assert main(argv) == 0
    with np.load(files["R"]) as result:
        visible, hidden = result["visible"], result["hidden"]
    expected = reference_recall(files["xi"], files["cues"], theta=files["theta"],
                                tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=30 * ms,
                                integrator="exact")
    assert np.max(np.abs(visible - expected["visible"])) < 1e-9
    np.testing.assert_array_equal(hidden, expected["hidden"])
    assert set(np.unique(hidden)) <= {0, 1}
    # the literal dense formulation is forward Euler
    assert main(argv + ["--formulation", "dense"]) == 0
    with np.load(files["R"]) as result:
        euler = reference_recall(files["xi"], files["cues"], theta=files["theta"],
                                 tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=30 * ms)
        assert np.max(np.abs(result["visible"] - euler["visible"])) < 1e-9


def test_command_line_theta_overrides_the_file(files):
    argv = ["recall", "--weights", files["W"], "--cues", files["C"], "--out", files["R"],
            "--backend", "numpy", "--duration", "20ms", "--theta", "5", "--quiet"]
    assert main(argv) == 0
    with np.load(files["R"]) as result:
        assert result["hidden"].sum() == 0  # nothing crosses theta = 5


def test_capacity_writes_table_and_figure(tmp_path, capsys):
    out = tmp_path / "cap"
    argv = ["capacity", "--nh", "2", "3", "--theta", "0.5", "--noise", "0", "1",
            "--backend", "numpy", "--duration", "40ms", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    with open(out / "capacity.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4
    assert {"nh", "nv", "theta", "noise", "n_patterns", "n_recalled"} <= set(rows[0])
    assert [int(r["nv"]) for r in rows] == [200, 200, 300, 300]
    assert all(int(r["n_recalled"]) == int(r["n_patterns"]) for r in rows if r["noise"] == "0.0")
    assert (out / "capacity.png").stat().st_size > 10_000


def test_bad_input_gives_one_line_errors(files, capsys, tmp_path):
    base = ["recall", "--weights", files["W"], "--cues", files["C"], "--out", files["R"],
            "--backend", "numpy", "--quiet"]

    def with_option(option, value):
        argv = list(base)
        if option in argv:
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
        return argv

    np.savez(tmp_path / "short.npz", cues=np.zeros((3, 79)))
    assert "N_v = 80" in run_error(capsys, with_option("--cues", str(tmp_path / "short.npz")))
    np.savez(tmp_path / "nan.npz", xi=np.full((80, 4), np.nan))
    assert "NaN" in run_error(capsys, with_option("--weights", str(tmp_path / "nan.npz")))
    np.savez(tmp_path / "inf.npz", cues=np.full((2, 80), np.inf))
    assert "NaN or infinite" in run_error(capsys, with_option("--cues", str(tmp_path / "inf.npz")))
    assert "unknown backend" in run_error(capsys, with_option("--backend", "gpu"))
    assert "does not exist" in run_error(capsys, with_option("--weights", str(tmp_path / "no.npz")))
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 this is not a zip archive")
    assert "corrupt" in run_error(capsys, with_option("--weights", str(tmp_path / "corrupt.npz")))
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(open(files["W"], "rb").read()[:200])
    assert "corrupt" in run_error(capsys, with_option("--weights", str(truncated)))
    np.savez(tmp_path / "pickled.npz", cues=np.array([{"a": 1}, None], dtype=object))
    assert "pickle" in run_error(capsys, with_option("--cues", str(tmp_path / "pickled.npz")))
    np.savez(tmp_path / "nokey.npz", weights=np.ones((80, 4)))
    assert "'xi'" in run_error(capsys, with_option("--weights", str(tmp_path / "nokey.npz")))
    np.savez(tmp_path / "back.npz", xi=np.ones((80, 4)), xi_back=np.ones((80, 4)))
    assert "xi_back" in run_error(capsys, with_option("--weights", str(tmp_path / "back.npz")))
    assert "positive" in run_error(capsys, base + ["--tau-v=-20ms"])
    assert "positive" in run_error(capsys, with_option("--dt", "0ms"))
    assert "smaller than tau_h" in run_error(capsys, with_option("--dt", "2ms"))
    assert "as a time" in run_error(capsys, with_option("--duration", "100"))
    assert "activation" in run_error(capsys, with_option("--activation", "relu"))
    assert "N_h" in run_error(capsys, ["capacity", "--nh", "0", "--out", str(tmp_path)])
    assert "noise" in run_error(capsys, ["capacity", "--nh", "2", "--noise", "-1",
                                         "--out", str(tmp_path), "--backend", "numpy"])
    assert not (tmp_path / "R.npz").exists()  # nothing written on failure


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "recall" in out and "capacity" in out


def test_atomic_write_leaves_readable_files_and_non_zip_is_called_corrupt(tmp_path):
    import os
    import stat

    from bioam import BioamError
    from bioam.io import read_npz, write_npz_atomic

    umask = os.umask(0o022)
    os.umask(umask)
    path = write_npz_atomic(tmp_path / "a.npz", x=np.arange(3))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    (tmp_path / "text.npz").write_text("hello, not a zip")
    with pytest.raises(BioamError, match="not a zip"):
        read_npz(tmp_path / "text.npz")
