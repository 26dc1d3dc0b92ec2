"""
The recall engine on both committed MNIST models (2,000 training images each), compiled C++.

* Brian2's event formulation agrees with the independent dense NumPy reference
  (same exact-pieces integrator, same dt) to 1e-9 in final v and h, and in every
  hidden state.
* The defaults are converged: at least 99.5% of final hidden states equal those
  at a quarter of the default dt, and at least 99.9% are fixed points of Eq. (5).
"""

import numpy as np
import pytest

from bioam import DEFAULTS, RecallSession, fixed_point_hidden_state, reference_recall
from bioam.datasets import load_dataset
from bioam.models import load_model, model_theta

pytestmark = pytest.mark.slow

MODELS = ["models/mnist_nh50.npz", "models/mnist_nh50_asymmetric.npz"]
TIMING = {key: DEFAULTS[key] for key in ("tau_v", "tau_h", "dt", "duration")}


@pytest.fixture(scope="module")
def images():
    try:
        images, _, _ = load_dataset("mnist", split="train", limit=2000)
    except Exception as error:  # the shared data folder is part of CI's set-up
        pytest.fail(f"MNIST is needed for this test: {error}")
    return images.astype(np.float64)


@pytest.mark.parametrize("path", MODELS)
def test_engine_matches_reference_and_is_converged(path, images, capsys):
    model = load_model(path)
    xi, xi_back, theta = model["xi"], model["xi_back"], model_theta(model)
    results = {}
    for factor in (1, 4):
        timing = dict(TIMING, dt=TIMING["dt"] / factor)
        with RecallSession(xi, xi_back=xi_back, theta=theta, backend="cpp_standalone",
                           n_workers=2, **timing) as session:
            assert session.formulation == "event"
            results[factor] = session.recall(images)
    expected = reference_recall(xi, images, xi_back=xi_back, theta=theta, integrator="exact",
                                **TIMING)
    result = results[1]
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
    np.testing.assert_array_equal(result.hidden, expected["hidden"])

    same = float(np.mean(np.all(results[1].hidden == results[4].hidden, axis=1)))
    is_fixed, _ = fixed_point_hidden_state(xi, result.hidden, xi_back=xi_back, theta=theta)
    with capsys.disabled():
        print(f"\n{path}: same final state at dt/4: {same:.4f}, fixed points: "
              f"{np.mean(is_fixed):.4f}")
    assert same >= 0.995
    assert np.mean(is_fixed) >= 0.999
