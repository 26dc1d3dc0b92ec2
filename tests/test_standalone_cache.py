"""The compile cache reuses a binary for new weights, and the results are those of the new weights."""

import os

import numpy as np
from brian2 import ms

from bioam import RecallSession, reference_recall

TIMING = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.025 * ms, duration=30 * ms)


def test_new_weights_reuse_the_binary_and_match_the_reference(tmp_path, monkeypatch):
    monkeypatch.setenv("BIOAM_CACHE_DIR", str(tmp_path))
    projects, lines = [], {0: [], 1: []}
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        xi = rng.standard_normal((200, 4))
        cues = 2 * rng.standard_normal((12, 200))
        with RecallSession(xi, backend="cpp_standalone", formulation="event",
                           n_workers=1, progress=lines[seed].append, **TIMING) as session:
            result = session.recall(cues)
            projects.append((session.project, session.from_cache))
            if seed == 0:
                build_seconds = session.build_seconds
        reference = reference_recall(xi, cues, theta=0.5, integrator="exact", **TIMING)
        np.testing.assert_array_equal(result.states, reference["hidden"])
        np.testing.assert_allclose(result.visible, reference["visible"],
                                   atol=1e-9)
    (first, first_cached), (second, second_cached) = projects
    assert not first_cached and second_cached  # compiled once, reused for new weights
    assert first != second and os.path.isfile(os.path.join(second, "main"))
    # the compilation shows its progress: object files made of the source files
    assert any(line.startswith("bioam: compiling the cpp_standalone") for line in lines[0])
    bars = [line for line in lines[0] if "source files" in line]
    if build_seconds > 15:  # a line every 5 s while the compiler runs
        assert bars, lines[0]
    for line in bars:
        made, sources = map(int, line.split("] ")[1].split(" ")[0].split("/"))
        assert 0 <= made <= sources and sources >= 5, line
    assert not any("compiling" in line for line in lines[1])  # reused, not compiled
    arrays = sorted(os.listdir(os.path.join(first, "static_arrays")))
    differ = [name for name in arrays
              if open(os.path.join(first, "static_arrays", name), "rb").read()
              != open(os.path.join(second, "static_arrays", name), "rb").read()]
    assert differ  # the second project holds the second seed's weights
