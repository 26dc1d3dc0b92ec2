import numpy as np
import pytest
from brian2 import BrianLogger

BrianLogger.log_level_warn()


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


#: Cross-target tests compile one project per case: a C++ project (10-50 s each on 2 cores) or
#: Cython extensions (5-30 s on a cold cache). The quick run keeps the cases named here (and
#: every NumPy case); the others run in the slow phase, which CI runs after the quick one
#: (`.ci/run`).
QUICK_COMPILED_CASES = {
    "test_brian2_matches_reference": {"symmetric_step-cpp_standalone", "symmetric_step-cython"},
    "test_krotov_hopfield_models_match_reference_on_every_target": {"B-cpp_standalone",
                                                                    "B-cython"},
    "test_event_formulation_matches_exact_reference": {
        "symmetric-cython", "symmetric-cpp_standalone", "dale-cpp_standalone",
        "asymmetric_heterogeneous_sparse-cpp_standalone"},
    "test_variants_agree_across_backends": {"spiking-cpp_standalone"},
    "test_recorded_standalone_recall_matches_reference": {"rate"},
    "test_dale_recall_matches_rate_model_on_every_backend": set(),  # the event tests compile Dale
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item, "originalname", item.name)
        if name not in QUICK_COMPILED_CASES or not hasattr(item, "callspec"):
            continue
        case = item.callspec.id
        compiled = ("standalone" in case or "cython" in case
                    or name == "test_recorded_standalone_recall_matches_reference")
        if compiled and case not in QUICK_COMPILED_CASES[name]:
            item.add_marker(pytest.mark.slow)
