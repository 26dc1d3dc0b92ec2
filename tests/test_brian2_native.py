"""bioam inside a user's Brian2 script: the user's device and code generation target survive."""

import numpy as np
import pytest
from brian2 import get_device, prefs, set_device

import bioam


@pytest.fixture
def restore_brian2():
    target = prefs.codegen.target
    yield
    set_device("runtime")
    prefs.codegen.target = target


def test_recall_gives_back_the_users_target_and_device(restore_brian2, tmp_path):
    rng = np.random.default_rng(0)
    xi, cues = rng.standard_normal((40, 3)), rng.random((2, 40))
    prefs.codegen.target = "numpy"
    first = bioam.recall(xi, cues, backend="cython")
    assert prefs.codegen.target == "numpy"
    assert type(get_device()).__name__ == "RuntimeDevice"
    # a user's own standalone device, with build_on_run off, is the current device again
    set_device("cpp_standalone", build_on_run=False, directory=str(tmp_path / "mine"))
    mine = get_device()
    result = bioam.recall(xi, cues, backend="numpy")
    assert get_device() is mine and mine.build_on_run is False
    assert prefs.codegen.target == "numpy"
    np.testing.assert_array_equal(result.hidden, first.hidden)   # the recall itself unchanged
