import numpy as np
import pytest
from brian2 import BrianLogger

BrianLogger.log_level_warn()


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
