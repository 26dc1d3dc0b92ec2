"""
The CIFAR-10 run of Section 3.2: N_v = 3,072, N_h = 500, all 50,000 training images.

Needs the official ``cifar-10-python.tar.gz`` (or its extracted
``cifar-10-batches-py``) in the data directory (``$BIOAM_DATA_DIR``, default
``../shared/data``); the paper reports 49,982 unique minima and theta = 0.43.
Trains with ``bioam train`` (checkpointed every epoch; run again with
``--resume`` after a kill), then counts the unique minima with the Brian2
model over worker processes::

    OPENBLAS_NUM_THREADS=1 python experiments/train_cifar10.py --epochs 100 --workers 2

Every option other than ``--workers`` and ``--skip-count`` goes to ``bioam train``.
"""

import subprocess
import sys

from bioam.cli import main as bioam_main


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    workers = "2"
    if "--workers" in argv:
        position = argv.index("--workers")
        workers = argv[position + 1]
        del argv[position:position + 2]
    skip_count = "--skip-count" in argv
    argv = [arg for arg in argv if arg != "--skip-count"]
    if "--out" not in argv:
        argv += ["--out", "models/cifar10_nh500.npz"]
    if "--nh" not in argv:
        argv += ["--nh", "500"]
    out = argv[argv.index("--out") + 1]
    code = bioam_main(["train", "--dataset", "cifar10"] + argv)
    if code or skip_count:
        return code
    return subprocess.call([sys.executable, "experiments/count_unique_minima.py", "--model", out,
                            "--dataset", "cifar10", "--split", "train", "--workers", workers,
                            "--out", "output/cifar10_train.json"])


if __name__ == "__main__":
    sys.exit(main())
