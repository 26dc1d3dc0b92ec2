"""
Output paths are checked before any work; every file is written atomically; no print in the library.

Each command is run with an output it cannot write (a read-only folder, a folder in the way of a
file, a file in the way of a folder) or that is one of its inputs; it must answer with one line
and exit status 2 before reading data, training or simulating (the functions that do the work
raise if called), and leave its inputs byte-for-byte as they were.
"""

import ast
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import pytest

import bioam
from bioam import BioamError
from bioam.cli import main
from bioam.io import check_output_paths, remove_orphans, write_npz_atomic
from bioam.models import save_model

PACKAGE = pathlib.Path(bioam.__file__).parent


@pytest.fixture
def files(tmp_path):
    """Weights, cues, a small MNIST-layout data set and a model trained on it (by name only)."""
    rng = np.random.default_rng(0)
    paths = {name: tmp_path / name for name in ("W.npz", "C.npz", "D.npz", "M.npz")}
    np.savez(paths["W.npz"], xi=rng.standard_normal((100, 4)), theta=0.5)
    np.savez(paths["C.npz"], cues=rng.standard_normal((3, 100)))
    images = (rng.random((30, 10, 10)) * 255).astype(np.uint8)
    np.savez(paths["D.npz"], x_train=images[:20], y_train=np.arange(20) % 2,
             x_test=images[20:], y_test=np.arange(10) % 2)
    save_model(paths["M.npz"], rng.standard_normal((100, 4)), 0.5,
               metadata={"dataset": str(paths["D.npz"])})
    return {name: str(path) for name, path in paths.items()}


@pytest.fixture
def no_work(monkeypatch):
    """Make every function that loads data, trains or simulates fail the test if called."""
    import importlib

    def module(name):  # bioam.recall is also the name of a function
        return importlib.import_module(f"bioam.{name}")

    def work(*args, **kwargs):
        raise AssertionError("work started before the output paths were checked")

    targets = [("datasets", "load_dataset"), ("io", "load_weights"), ("io", "load_cues"),
               ("models", "load_model"), ("recall", "recall"), ("recall", "RecallSession"),
               ("training", "train"), ("capacity", "capacity_experiment"),
               ("compare", "compare_variants"), ("classify", "table1"), ("baselines", "table4"),
               ("hebbian.experiment", "capacity_table")]
    modules = {where: module(where) for where, _ in targets}  # all imported before patching
    for where, name in targets:
        monkeypatch.setattr(modules[where], name, work)


@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A folder no file can be created in (also for root, who ignores the permission bits)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and os.path.realpath(dir) == os.path.realpath(folder):
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    if os.access(folder, os.W_OK):  # root: the mode bits do not stop writes
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    yield folder
    folder.chmod(0o755)


def refused(capsys, argv, inputs=()):
    """Run the CLI; assert exit 2, one line, and that the input files are unchanged."""
    before = {path: pathlib.Path(path).read_bytes() for path in inputs}
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("bioam: error:") and len(err.splitlines()) == 1, err
    for path, content in before.items():
        assert pathlib.Path(path).read_bytes() == content, f"{path} was changed"
    return err


def commands(files, tmp_path):
    """Each command's arguments with a placeholder OUT (a file or a folder, see `kind`)."""
    quick = ["--backend", "numpy", "--quiet"]
    return {
        "recall": (["recall", "--weights", files["W.npz"], "--cues", files["C.npz"],
                    "--out", "OUT"] + quick, "file"),
        "train": (["train", "--dataset", files["D.npz"], "--nh", "3", "--epochs", "1",
                   "--out", "OUT", "--quiet"], "file"),
        "evaluate-json": (["evaluate", "--model", files["M.npz"], "--json", "OUT",
                           "--figures", str(tmp_path / "figures")] + quick, "file"),
        "capacity": (["capacity", "--nh", "2", "--out", "OUT"] + quick, "capacity.csv"),
        "compare": (["compare", "--model", files["M.npz"], "--n", "2", "--scheduler", "inline", "--out", "OUT"] + quick,
                    "compare.png"),
        "evaluate-figures": (["evaluate", "--model", files["M.npz"], "--figures", "OUT"] + quick,
                             "basic_memories.png"),
        "classify": (["classify", "--model", files["M.npz"], "--out", "OUT"] + quick,
                     "table1.csv"),
        "baselines": (["baselines", "--model", files["M.npz"], "--dataset", files["D.npz"],
                       "--out", "OUT"] + quick, "table4_draws.csv"),
        "hebbian": (["hebbian", "--units", "8", "--backend", "none", "--out", "OUT", "--quiet"],
                    "capacity.png"),
    }


COMMANDS = ["recall", "train", "evaluate-json", "capacity", "compare", "evaluate-figures",
            "classify", "baselines", "hebbian"]


def with_out(argv, value):
    return [value if item == "OUT" else item for item in argv]


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_output_folder_is_refused_before_any_work(command, files, tmp_path,
                                                            read_only, no_work, capsys):
    argv, kind = commands(files, tmp_path)[command]
    target = read_only / ("out.npz" if kind == "file" else "results")
    error = refused(capsys, with_out(argv, str(target)), inputs=files.values())
    assert "not writable" in error and str(read_only) in error
    assert os.listdir(read_only) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_output_that_is_a_folder_is_refused_before_any_work(command, files, tmp_path,
                                                            no_work, capsys):
    argv, kind = commands(files, tmp_path)[command]
    out = tmp_path / "out"
    (out / (kind if kind != "file" else "")).mkdir(parents=True)
    error = refused(capsys, with_out(argv, str(out)), inputs=files.values())
    assert "is a folder, not a file" in error
    assert str(out) in error


@pytest.mark.parametrize("command", [name for name in COMMANDS if name not in ("recall",
                                                                              "train",
                                                                              "evaluate-json")])
def test_output_folder_behind_a_file_is_refused_before_any_work(command, files, tmp_path,
                                                                no_work, capsys):
    argv, _ = commands(files, tmp_path)[command]
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    error = refused(capsys, with_out(argv, str(blocker / "sub")),
                    inputs=list(files.values()) + [str(blocker)])
    assert "cannot create the output folder" in error and "is a file, not a folder" in error


@pytest.mark.parametrize("argv, names", [
    (["recall", "--weights", "W.npz", "--cues", "C.npz", "--out", "W.npz"], ("--out", "--weights")),
    (["recall", "--weights", "W.npz", "--cues", "C.npz", "--out", "C.npz"], ("--out", "--cues")),
    (["train", "--dataset", "D.npz", "--out", "D.npz"], ("--out", "--dataset")),
    (["train", "--dataset", "D.npz", "--out", "new.npz", "--checkpoint", "D.npz"],
     ("--checkpoint", "--dataset")),
    (["train", "--dataset", "D.npz", "--init", "M.npz", "--out", "M.npz"], ("--out", "--init")),
    (["evaluate", "--model", "M.npz", "--json", "M.npz"], ("--json", "--model")),
    (["evaluate", "--model", "M.npz", "--dataset", "D.npz", "--json", "D.npz"],
     ("--json", "--dataset")),
    (["compare", "--model", "M.npz", "--out", "."], None),
    (["classify", "--model", "M.npz", "--out", "."], None),
    (["baselines", "--model", "M.npz", "--dataset", "D.npz", "--out", "."], None),
])
def test_output_equal_to_an_input_is_refused_and_the_input_kept(argv, names, files, tmp_path,
                                                                no_work, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if names is None:  # a data set named like the command's output file, in the output folder
        output = {"compare": "compare.csv", "classify": "table1.csv",
                  "baselines": "table4.png"}[argv[0]]
        os.link("D.npz", output)
        argv = [output if item == "D.npz" else item for item in argv]
        if argv[0] != "baselines":
            argv += ["--dataset", output]
        names = ("--out", "--dataset")
    error = refused(capsys, argv + ["--backend", "numpy", "--quiet"] if argv[0] != "train"
                    else argv + ["--quiet"], inputs=list(files.values()))
    assert "is the same file as" in error and "give another" in error
    assert error.index(names[0]) < error.index(names[1])


def test_output_equal_to_the_models_data_set_is_refused_before_loading_it(files, tmp_path,
                                                                          monkeypatch, capsys):
    import bioam.datasets

    def load_dataset(*args, **kwargs):
        raise AssertionError("the data set was loaded")

    monkeypatch.setattr(bioam.datasets, "load_dataset", load_dataset)
    error = refused(capsys, ["evaluate", "--model", files["M.npz"], "--json", files["D.npz"],
                             "--figures", str(tmp_path / "figures"), "--backend", "numpy",
                             "--quiet"], inputs=files.values())
    assert "the model's data set" in error


def test_outputs_aliasing_inputs_or_each_other_are_refused(files, tmp_path, no_work, capsys):
    link = tmp_path / "link.npz"
    link.symlink_to(files["W.npz"])
    error = refused(capsys, ["recall", "--weights", files["W.npz"], "--cues", files["C.npz"],
                             "--out", str(link), "--quiet"], inputs=files.values())
    assert "same file as --weights" in error
    error = refused(capsys, ["train", "--dataset", files["D.npz"], "--out",
                             str(tmp_path / "m.npz"), "--checkpoint", str(tmp_path / "m.npz"),
                             "--quiet"], inputs=files.values())
    assert "are the same file" in error
    figures = tmp_path / "figures"
    error = refused(capsys, ["evaluate", "--model", files["M.npz"], "--figures", str(figures),
                             "--json", str(figures / "basic_memories.png"), "--quiet"],
                    inputs=files.values())
    assert "are the same file" in error
    assert "--json is empty" in refused(capsys, ["evaluate", "--model", files["M.npz"],
                                                 "--json", "", "--quiet"])
    assert "not a regular file" in refused(capsys, ["recall", "--weights", files["W.npz"],
                                                    "--cues", files["C.npz"], "--out",
                                                    os.devnull, "--quiet"])


def test_checkpoint_over_a_file_that_is_no_checkpoint_is_refused(files, tmp_path, no_work,
                                                                 capsys):
    error = refused(capsys, ["train", "--dataset", files["D.npz"], "--out",
                             str(tmp_path / "new.npz"), "--checkpoint", files["M.npz"],
                             "--quiet"], inputs=files.values())
    assert "is not a training checkpoint" in error and files["M.npz"] in error


def test_a_failed_training_run_puts_the_previous_checkpoint_back(tmp_path):
    from bioam.training import TrainingConfig, train

    images = np.random.default_rng(1).random((40, 30)).astype(np.float32)
    checkpoint = tmp_path / "run.ckpt.npz"
    train(images, TrainingConfig(n_hidden=3, epochs=2, seed=0), checkpoint_path=checkpoint,
          progress=False)
    good = checkpoint.read_bytes()
    calls = []

    def fails_in_epoch_3(parameters):
        calls.append(1)
        if len(calls) > 2 * 5:  # 5 batches of 8 per epoch
            raise RuntimeError("simulated failure")

    config = TrainingConfig(n_hidden=3, epochs=4, seed=1, batch_size=8,
                            constraints=(fails_in_epoch_3,))
    with pytest.raises(RuntimeError, match="simulated failure"):
        train(images, config, checkpoint_path=checkpoint, progress=False)
    assert checkpoint.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt.npz"]
    # interrupted (Ctrl-C), the new run's checkpoint stays, to resume from
    calls.clear()

    def interrupted_in_epoch_2(parameters):
        calls.append(1)
        if len(calls) > 5:
            raise KeyboardInterrupt

    config = TrainingConfig(n_hidden=3, epochs=4, seed=1, batch_size=8,
                            constraints=(interrupted_in_epoch_2,))
    with pytest.raises(KeyboardInterrupt):
        train(images, config, checkpoint_path=checkpoint, progress=False)
    with np.load(checkpoint) as saved:
        assert int(saved["epoch"]) == 1
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt.npz"]


def test_interrupted_figure_write_leaves_no_partial_png_and_no_temporary(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from bioam.plotting import plot_capacity

    rows = [{"nh": 2, "nv": 200, "theta": 0.5, "noise": 0.0, "n_patterns": 4, "n_recalled": 4,
             "bound_eq40": 1.0, "probability_eq38": 1.0, "backend": "numpy"}]
    good = tmp_path / "good.png"
    plot_capacity(rows, good)
    assert good.read_bytes().startswith(b"\x89PNG")
    real_savefig = Figure.savefig

    def savefig_killed_half_way(self, target, *args, **kwargs):
        real_savefig(self, target, *args, **kwargs)
        target.truncate(100)
        raise KeyboardInterrupt  # a kill or Ctrl-C while the image is written

    monkeypatch.setattr(Figure, "savefig", savefig_killed_half_way)
    before = good.read_bytes()
    for path in (good, tmp_path / "new.png"):
        with pytest.raises(KeyboardInterrupt):
            plot_capacity(rows, path)
    assert good.read_bytes() == before  # the earlier figure is intact
    assert sorted(os.listdir(tmp_path)) == ["good.png"]  # no partial PNG, no temporary


def test_no_figure_is_written_in_place():
    """Every savefig of the package writes to a stream handed over by the atomic writer."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "savefig"):
                target = node.args[0] if node.args else None
                assert isinstance(target, ast.Name) and target.id in ("stream", "buffer"), (
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} writes a figure in place")


def test_orphan_temporaries_of_dead_writers_are_removed_on_the_next_write(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    host = f"{zlib.crc32(socket.gethostname().encode()):08x}"
    dead = tmp_path / f".tmp_bioam_{host}_{finished.pid}_abcd1234.npz"
    alive = tmp_path / f".tmp_bioam_{host}_{os.getpid()}_abcd1234.npz"
    other_host_new = tmp_path / f".tmp_bioam_00000000_{finished.pid}_abcd1234.npz"
    other_host_old = tmp_path / f".tmp_bioam_00000000_{finished.pid}_efgh5678.npz"
    legacy_old = tmp_path / ".tmp_k2j4h1x9.npz"
    mine = tmp_path / ".tmp_mine.npz"  # not a name bioam makes
    for path in (dead, alive, other_host_new, other_host_old, legacy_old, mine):
        path.write_bytes(b"partial")
    for path in (other_host_old, legacy_old, mine):
        os.utime(path, (1, 1))
    write_npz_atomic(tmp_path / "result.npz", x=np.arange(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, other_host_new.name, mine.name, "result.npz"])
    assert remove_orphans(tmp_path) == []


def test_check_output_paths_messages_name_the_path_and_the_fix(tmp_path):
    with pytest.raises(BioamError, match=r"^--out '.*' is a folder, not a file; remove the "
                                         r"folder or give another --out$"):
        check_output_paths([("--out", tmp_path)])
    model = tmp_path / "M.npz"
    model.write_bytes(b"model")
    hard_link = tmp_path / "other_name.npz"
    os.link(model, hard_link)
    with pytest.raises(BioamError, match="same file as --model"):
        check_output_paths({"--json": hard_link}, {"--model": model})
    check_output_paths([("--out", tmp_path / "a" / "b" / "new.npz")], [("--model", model)])
    assert not (tmp_path / "a").exists()  # checked, not created
    assert sorted(os.listdir(tmp_path)) == ["M.npz", "other_name.npz"]  # no probe left


def test_library_modules_do_not_print():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "print"):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert offenders == [], "print() in library modules: " + ", ".join(offenders)


def test_progress_goes_to_a_callback_and_the_cli_shows_it_on_stderr(files, tmp_path, capsys):
    from bioam.training import TrainingConfig, train

    lines = []
    images = np.random.default_rng(1).random((20, 30)).astype(np.float32)
    train(images, TrainingConfig(n_hidden=3, epochs=2, seed=0), progress=lines.append)
    assert [line.split()[:2] for line in lines] == [["epoch", "1/2"], ["epoch", "2/2"]]
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
    with pytest.raises(BioamError, match="progress must be"):
        train(images, TrainingConfig(n_hidden=3, epochs=1), progress="loud")
    assert main(["recall", "--weights", files["W.npz"], "--cues", files["C.npz"], "--out",
                 str(tmp_path / "R.npz"), "--backend", "numpy", "--duration", "5ms"]) == 0
    captured = capsys.readouterr()
    assert "bioam: [" in captured.err and "3/3 cues on numpy" in captured.err
    assert "bioam: [" not in captured.out and "wrote" in captured.out
