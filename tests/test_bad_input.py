"""
The bad-input suite: every case of the catalogue (tests/bad_input.py) is refused cleanly.

Each case is one malformed or hostile invocation of a command or of the API,
in one of the classes of bad input (output paths, corrupt files, bad numbers,
data loss, silent acceptance, concurrency). It must be refused with one line
and exit status 2 (`BioamError` in the API) before any simulation or training
step, leave every file as it was and add none. The positive controls check that
the world the cases run against is sound: each command's base run, which the
cases change in one place, succeeds.

``python experiments/bad_input_audit.py`` runs the same cases and counts the
outcomes by class and command (docs/figures/bad_input/audit.json).
"""

import os
import shutil

import pytest

import bad_input

CASES = bad_input.cases()
CLEAN = {}  # the world's folder -> its files' hashes as made (a case that changes them is undone)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("bad_input")
    world = bad_input.make_world(scratch / "world")
    pristine = str(scratch / "pristine")
    shutil.copytree(world["dir"], pristine)
    CLEAN[world["dir"]] = bad_input.snapshot(world["dir"])
    cwd = os.getcwd()
    os.chdir(scratch)  # where Brian2 would leave debug files
    try:
        yield world
    finally:
        os.chdir(cwd)
        bad_input.restore_world(world, pristine)
        os.chmod(world["read_only"], 0o755)


@pytest.fixture
def fresh_world(world):
    """The world, put back as it was after a case that changed it."""
    yield world
    if bad_input.snapshot(world["dir"]) != CLEAN[world["dir"]]:
        pristine = os.path.join(os.path.dirname(world["dir"]), "pristine")
        bad_input.restore_world(world, pristine)


def test_the_catalogue_covers_every_class_for_every_command():
    covered = {(case.klass, case.command) for case in CASES}
    for command in bad_input.COMMANDS:
        for klass in ("output path", "corrupt file", "bad number", "concurrency"):
            if command == "api" and klass == "concurrency":
                continue  # the API takes no locks of its own: the commands do
            if command in ("capacity", "hebbian") and klass == "corrupt file":
                continue  # they read no files
            assert (klass, command) in covered, (klass, command)
    for klass in ("data loss", "silent acceptance"):
        assert {case.command for case in CASES if case.klass == klass} >= {
            "recall", "train", "evaluate", "compare", "api"}
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_cleanly(case, fresh_world):
    outcome, detail = bad_input.run_case(case, fresh_world)
    assert outcome == "clean", detail


CONTROLS = [bad_input.Case("control", command, "base run", argv)
            for command, argv in bad_input.BASE.items()] + [
    bad_input.Case("control", "train", "resume the world's checkpoint to epoch 3",
                   bad_input.with_option(bad_input.with_option(
                       bad_input.BASE["train"], "--nh", "4"), "--epochs", "3")
                   + ["--checkpoint", "{dir}/out/resumed.npz", "--resume"],
                   setup=lambda world: shutil.copy(world["ckpt_npz"], os.path.join(
                       world["dir"], "out", "resumed.npz")))]


@pytest.mark.parametrize("control", CONTROLS, ids=[control.id for control in CONTROLS])
def test_the_runs_the_cases_change_succeed(control, fresh_world):
    outcome, detail = bad_input.run_case(control, fresh_world)
    if control.name.startswith("resume"):  # it continues its own copy of the checkpoint
        assert outcome == "data lost" and detail.endswith("['out/resumed.npz']"), detail
    else:
        assert outcome == "accepted", detail


def _run_bioam(tmp_path, code):
    """Run ``code`` (which calls bioam.cli.main) in a fresh process whose temporary folder is
    empty; return its exit status, standard error and what it left in that folder."""
    import subprocess
    import sys

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), OPENBLAS_NUM_THREADS="1")
    process = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    return process.returncode, process.stderr.strip(), sorted(os.listdir(scratch))


def test_a_user_error_leaves_one_line_and_no_brian2_debug_files(tmp_path):
    code, err, left = _run_bioam(
        tmp_path, "import sys; from bioam.cli import main; "
        "sys.exit(main(['recall', '--weights', 'missing.npz', '--cues', 'c.npz', "
        "'--out', 'r.npz']))")
    assert code == 2
    assert err.startswith("bioam: error:") and len(err.splitlines()) == 1, err
    assert "Brian 2" not in err
    assert not [name for name in left if name.startswith("brian_")], left


def test_an_internal_error_keeps_its_traceback_without_the_brian2_banner(tmp_path):
    # a bug planted in the library: the command must show where it happened
    code, err, left = _run_bioam(
        tmp_path, "import sys; import bioam.capacity as capacity; from bioam.cli import main\n"
        "def broken(*args, **kwargs):\n    raise ZeroDivisionError('planted bug')\n"
        "capacity.capacity_experiment = broken\n"
        "sys.exit(main(['capacity', '--nh', '2', '--out', 'cap', '--backend', 'numpy']))")
    assert code == 1
    assert "Traceback" in err and "ZeroDivisionError: planted bug" in err
    assert "in broken" in err  # the frame of the bug itself
    assert err.splitlines()[-1].startswith("bioam: internal error")
    assert "Brian 2 encountered" not in err
    assert not os.path.exists(tmp_path / "cap" / "capacity.csv")


def test_the_documented_counts_are_those_of_this_catalogue():
    """docs/robustness.md's table comes from the committed audit of these very cases."""
    import json
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    record = json.loads((root / "docs/figures/bad_input/audit.json").read_text())
    assert sorted(case["id"] for case in record["cases_detail"]) == sorted(
        case.id for case in CASES), "rerun experiments/bad_input_audit.py (the cases changed)"
    assert record["totals"]["clean"] == record["cases"] == len(CASES)
    page = (root / "docs/robustness.md").read_text()
    table = page.split("<!-- table:bad_input -->\n")[1].split("<!-- end:bad_input -->")[0]
    assert table == bad_input.markdown_table(record)


def test_a_sample_of_patterns_beyond_64_bits_is_distinct_and_reproducible():
    """`--nh 64 --max-patterns 4` once overflowed (codes beyond int64); now it samples bits."""
    import numpy as np

    from bioam.capacity import binary_patterns

    first = binary_patterns(80, 50, np.random.default_rng(3))
    again = binary_patterns(80, 50, np.random.default_rng(3))
    assert first.shape == (50, 80) and set(np.unique(first)) == {0.0, 1.0}
    assert len({tuple(row) for row in first}) == 50
    np.testing.assert_array_equal(first, again)
    assert 0.4 < first.mean() < 0.6  # fair bits
