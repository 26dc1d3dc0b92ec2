"""
Classifiers on recalled states (paper 001, Table 1).

A recalled state is read with a classifier trained on the recalled states of
the training images and tested on those of the test images, for three
representations: the final hidden states (0/1, N_h values), the final visible
states (N_v values) and, for comparison, the original images. The classifier
is the paper's MLP (Table 3: d -> 256 -> 128 -> classes, ReLU), scikit-learn's
`~sklearn.neural_network.MLPClassifier`. The paper used a CNN (Table 2) for
the visible and original rows; the MLP there is a deviation, labelled in the
table.
"""

import time
import warnings

import numpy as np
from brian2.utils.logger import get_logger

from .recall import DEFAULTS, RecallSession
from .validation import BioamError

__all__ = ["CLASSIFIER", "PAPER_TABLE1", "TABLE1_COLUMNS", "fit_mlp", "mlp_classifier", "table1"]

logger = get_logger(__name__)

#: The MLP of Table 3 and how it is trained (scikit-learn's Adam, mini-batches of 200).
CLASSIFIER = {"hidden_layer_sizes": (256, 128), "activation": "relu", "epochs": 30}

#: Table 1's MNIST column, and the classifier the paper used for each row.
PAPER_TABLE1 = {
    "hidden": (0.95, "MLP"),
    "visible": (0.98, "CNN"),
    "original": (0.99, "CNN"),
}

#: Columns of ``table1.csv``.
TABLE1_COLUMNS = ("representation", "accuracy", "paper_accuracy", "classifier",
                  "paper_classifier", "n_train", "n_test", "seconds")


def mlp_classifier(seed=0, epochs=CLASSIFIER["epochs"]):
    """The MLP of Table 3 (d -> 256 -> 128 -> classes, ReLU), seeded."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=CLASSIFIER["hidden_layer_sizes"],
                         activation=CLASSIFIER["activation"], max_iter=int(epochs),
                         random_state=seed)


def fit_mlp(train_x, train_y, seed=0, epochs=CLASSIFIER["epochs"]):
    """The MLP of Table 3 trained for ``epochs`` epochs on ``train_x``, ``train_y``."""
    from sklearn.exceptions import ConvergenceWarning

    classifier = mlp_classifier(seed, epochs)
    with warnings.catch_warnings():  # a fixed number of epochs is the protocol, not a failure
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(train_x, train_y)
    return classifier


def _fit_and_score(train_x, train_y, test_x, test_y, seed, epochs):
    return float(fit_mlp(train_x, train_y, seed, epochs).score(test_x, test_y))


def table1(xi, train, test, *, xi_back=None, theta=0.5, backend=DEFAULTS["backend"], seed=0,
           epochs=CLASSIFIER["epochs"], progress=True, **recall_options):
    """
    Test accuracy of the MLP on recalled hidden states, recalled visible states and images.

    Parameters
    ----------
    xi, xi_back, theta
        The model (see `bioam.build_network`).
    train, test : tuple of ndarray
        ``(images, labels)`` of the two splits; the images are the cues.
    backend : str
    seed : int
        Seed of the classifiers' initial weights and mini-batch order.
    epochs : int
        Training epochs of each classifier.
    progress : bool or callable
        Progress bars of the recalls (see `bioam.progress`).
    **recall_options
        Further options of `bioam.RecallSession` (timing, formulation, ...).

    Returns
    -------
    list of dict
        One row per representation, keys `TABLE1_COLUMNS` (accuracies in 0..1).
    """
    (train_images, train_labels), (test_images, test_labels) = train, test
    for name, images, labels in (("training", train_images, train_labels),
                                 ("test", test_images, test_labels)):
        if len(images) != len(labels) or len(images) == 0:
            raise BioamError(f"the {name} split needs as many labels as images (and at "
                             f"least one), got {len(images)} images and {len(labels)} labels")
    if len(np.unique(train_labels)) < 2:
        raise BioamError("the training split has a single class; a classifier needs two or more")
    if int(epochs) != epochs or epochs < 1:
        raise BioamError(f"epochs must be a positive integer, got {epochs}")
    with RecallSession(xi, xi_back=xi_back, theta=theta, backend=backend, progress=progress,
                       **recall_options) as session:
        recalled = {"train": session.recall(train_images), "test": session.recall(test_images)}
    representations = {
        "hidden": (recalled["train"].hidden, recalled["test"].hidden),
        "visible": (recalled["train"].visible, recalled["test"].visible),
        "original": (np.asarray(train_images, dtype=np.float64),
                     np.asarray(test_images, dtype=np.float64)),
    }
    rows = []
    for representation, (train_x, test_x) in representations.items():
        start = time.perf_counter()
        accuracy = _fit_and_score(train_x, train_labels, test_x, test_labels, seed, epochs)
        paper_accuracy, paper_classifier = PAPER_TABLE1[representation]
        rows.append({
            "representation": representation, "accuracy": accuracy,
            "paper_accuracy": paper_accuracy,
            "classifier": "MLP 256-128 (Table 3)", "paper_classifier": paper_classifier,
            "n_train": len(train_x), "n_test": len(test_x),
            "seconds": round(time.perf_counter() - start, 1),
        })
        logger.info(f"{representation}: test accuracy {accuracy:.4f}", "table1")
    return rows
