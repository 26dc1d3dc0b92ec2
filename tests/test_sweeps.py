"""Sweeps on Dask distributed with a per-setting cache (bioam.sweeps)."""

import json

import pytest

from bioam.hebbian.experiment import capacity_table
from bioam.hebbian.theory import hebb_exact_retrieval_capacity
from bioam.sweeps import run_sweep, setting_key
from bioam.validation import BioamError

CALLS = []


def record_square(x):
    CALLS.append(x)
    if x == 3 and "fail" in CALLS:
        raise RuntimeError("killed")
    return {"x": x, "square": x * x}


def test_inline_results_in_order_and_cached_settings_not_run_again(tmp_path):
    CALLS.clear()
    settings = [{"x": value} for value in (4, 2, 3)]
    first = run_sweep(record_square, settings, scheduler="inline", cache=tmp_path,
                      progress=False)
    assert [row["square"] for row in first] == [16, 4, 9]
    assert CALLS == [4, 2, 3]
    again = run_sweep(record_square, settings + [{"x": 5}], scheduler="inline", cache=tmp_path,
                      progress=False)
    assert CALLS == [4, 2, 3, 5]               # only the new setting ran
    assert again[:3] == first and again[3]["square"] == 25
    stored = json.loads((tmp_path / f"{setting_key(record_square, {'x': 5})}.json").read_text())
    assert stored["setting"] == {"x": 5} and stored["result"]["square"] == 25


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path):
    CALLS.clear()
    CALLS.append("fail")
    settings = [{"x": value} for value in (1, 2, 3, 4)]
    with pytest.raises(RuntimeError, match="killed"):
        run_sweep(record_square, settings, scheduler="inline", cache=tmp_path, progress=False)
    assert len(list(tmp_path.glob("*.json"))) == 2   # 1 and 2 finished before the failure
    CALLS.clear()
    rows = run_sweep(record_square, settings, scheduler="inline", cache=tmp_path,
                     progress=False)
    assert CALLS == [3, 4]
    assert [row["square"] for row in rows] == [1, 4, 9, 16]
    assert not list(tmp_path.glob("*.tmp*"))          # no temporary left behind


def test_local_dask_cluster_gives_the_inline_results():
    settings = [{"units": value} for value in (100, 200, 400)]
    lines = []
    rows = run_sweep(hebb_exact_retrieval_capacity, settings, n_workers=2,
                     progress=lines.append)
    assert rows == [10, 17, 28]
    assert len(lines) == 3 and all("sweep [" in line for line in lines)


def test_bad_sweep_settings_are_refused():
    with pytest.raises(BioamError, match="scheduler"):
        run_sweep(record_square, [{"x": 1}], scheduler="nowhere")
    with pytest.raises(BioamError, match="n_workers"):
        run_sweep(record_square, [{"x": 1}], n_workers=0)
    with pytest.raises(BioamError, match="settings"):
        run_sweep(record_square, {"x": 1})


@pytest.mark.slow
def test_hebbian_table_on_a_local_cluster_equals_the_inline_table(tmp_path):
    options = dict(units=[50, 100], n_draws=5)
    inline = capacity_table(["hebb", "covariance"], scheduler="inline", **options)
    cluster = capacity_table(["hebb", "covariance"], n_workers=2, cache=tmp_path, **options)
    def text(rows):  # NaN-aware comparison, times left out
        return [json.dumps({k: v for k, v in row.items() if k != "seconds"}, sort_keys=True)
                for row in rows]

    assert text(cluster) == text(inline)
    assert len(list(tmp_path.glob("*.json"))) == 4
