"""Table 1: classifiers on recalled states (scikit-learn's MLP of Table 3)."""

import csv

import numpy as np
import pytest

from bioam import BioamError
from bioam.classify import mlp_classifier, table1
from bioam.cli import main


def synthetic_dataset(seed=0, n_visible=120, n_classes=3, n_train=90, n_test=45):
    """Three classes, each a noisy copy of its own basic memory (a column of xi)."""
    rng = np.random.default_rng(seed)
    xi = rng.standard_normal((n_visible, n_classes))
    prototypes = np.clip(0.5 + 0.25 * xi.T, 0, 1)  # images in [0, 1]

    def split(n):
        labels = np.arange(n) % n_classes
        images = np.clip(prototypes[labels] + 0.1 * rng.standard_normal((n, n_visible)), 0, 1)
        return images, labels

    return xi, split(n_train), split(n_test)


def test_mlp_has_the_architecture_of_table_3():
    classifier = mlp_classifier(seed=1)
    assert classifier.hidden_layer_sizes == (256, 128)
    assert classifier.activation == "relu"


def test_table1_rows_on_a_separable_problem():
    xi, train, test = synthetic_dataset()
    rows = table1(xi, train, test, theta=0.2, backend="numpy", epochs=50, progress=False)
    accuracy = {row["representation"]: row["accuracy"] for row in rows}
    assert set(accuracy) == {"hidden", "visible", "original"}
    assert accuracy["original"] >= 0.95
    # the classes are separable in every representation: recall keeps the class
    assert accuracy["visible"] >= 0.95 and accuracy["hidden"] >= 0.9
    assert {row["paper_accuracy"] for row in rows} == {0.95, 0.98, 0.99}
    assert all(row["n_train"] == 90 and row["n_test"] == 45 for row in rows)


def test_table1_refuses_bad_splits():
    xi, train, test = synthetic_dataset()
    with pytest.raises(BioamError, match="as many labels as images"):
        table1(xi, (train[0], train[1][:-1]), test, backend="numpy")
    with pytest.raises(BioamError, match="single class"):
        table1(xi, (train[0], np.zeros(len(train[0]), int)), test, backend="numpy")


def test_cli_writes_table1(tmp_path):
    xi, (train_x, train_y), (test_x, test_y) = synthetic_dataset(seed=1)
    data = tmp_path / "toy.npz"
    np.savez(data, x_train=train_x, y_train=train_y, x_test=test_x, y_test=test_y)
    model = tmp_path / "model.npz"
    from bioam.models import save_model

    save_model(model, xi, theta=0.2, metadata={"dataset": str(data)})
    code = main(["classify", "--model", str(model), "--out", str(tmp_path / "out"),
                 "--backend", "numpy", "--epochs", "40", "--quiet"])
    assert code == 0
    with open(tmp_path / "out" / "table1.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["representation"] for row in rows] == ["hidden", "visible", "original"]
    assert float(rows[2]["accuracy"]) >= 0.9
    assert not [name for name in (tmp_path / "out").iterdir() if name.name.startswith(".tmp_")]


def test_cli_refuses_an_unwritable_output_before_recalling(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["classify", "--model", "models/mnist_nh50.npz", "--out", str(blocker / "sub"),
                 "--backend", "numpy"])
    assert code == 2
    assert "cannot create the output folder" in capsys.readouterr().err
