"""
Recall every image of a data set split with the Brian2 model and count the unique minima (Section 3.2).

Cue = the stored image, h(0) = 0, tau_v = 20 tau_h. The images are split over
worker processes, each running its own compiled C++ (or other backend)
project; the final hidden states are gathered and counted. Results go to a
JSON file (the keys of ``bioam evaluate --json``) and the final hidden states
to an ``.npz`` beside it::

    python experiments/count_unique_minima.py --model models/mnist_nh50.npz --split train \\
        --workers 2 --dt 0.2ms --duration 60ms --out output/mnist_train.json
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def recall_part(arguments):
    """Worker: recall one slice of the images, return final hidden states and errors."""
    model_path, dataset, split, start, stop, backend, timing = arguments
    from brian2 import BrianLogger

    from bioam.datasets import load_dataset
    from bioam.models import load_model, model_theta
    from bioam.recall import RecallSession
    from bioam.validation import parse_time

    BrianLogger.log_level_warn()
    model = load_model(model_path)
    images, _, _ = load_dataset(dataset, split=split, limit=stop)
    images = images[start:stop].astype(np.float64)
    kwds = {key: parse_time(key, value) for key, value in timing.items()}
    hidden, squared_error = [], []
    with RecallSession(model["xi"], xi_back=model["xi_back"], theta=model_theta(model),
                       backend=backend, **kwds) as session:
        for first in range(0, len(images), 5000):
            result = session.recall(images[first:first + 5000])
            hidden.append(result.hidden > 0.5)
            squared_error.append(np.mean((result.visible - images[first:first + 5000]) ** 2, axis=1))
            print(f"worker {start}-{stop}: {first + len(result.hidden)}/{len(images)} "
                  f"({result.seconds:.0f} s for the last chunk)", file=sys.stderr, flush=True)
    return start, np.concatenate(hidden), np.concatenate(squared_error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--model", default="models/mnist_nh50.npz")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--split", default="train")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--tau-v", default="20ms")
    parser.add_argument("--tau-h", default="1ms")
    parser.add_argument("--dt", default="0.2ms")
    parser.add_argument("--duration", default="60ms")
    parser.add_argument("--out", default=os.path.join("output", "mnist_train.json"))
    args = parser.parse_args()

    from bioam.datasets import load_dataset
    from bioam.evaluation import summarise_final_states
    from bioam.models import load_model, model_theta

    images, labels, _ = load_dataset(args.dataset, split=args.split, limit=args.limit)
    n_images = len(images)
    bounds = np.linspace(0, n_images, args.workers + 1).astype(int)
    timing = {"tau_v": args.tau_v, "tau_h": args.tau_h, "dt": args.dt, "duration": args.duration}
    jobs = [(args.model, args.dataset, args.split, int(a), int(b), args.backend, timing)
            for a, b in zip(bounds[:-1], bounds[1:])]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        parts = sorted(pool.map(recall_part, jobs), key=lambda part: part[0])
    seconds = time.perf_counter() - started
    hidden = np.concatenate([part[1] for part in parts])
    errors = np.concatenate([part[2] for part in parts])

    model = load_model(args.model)
    report = {
        "model": args.model, "dataset": args.dataset, "split": args.split,
        "backend": args.backend, **timing, "workers": args.workers,
        **summarise_final_states(model["xi"], model_theta(model), images, hidden,
                                 float(np.mean(errors)), xi_back=model["xi_back"]),
        "seconds": round(seconds, 1),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as stream:
        json.dump(report, stream, indent=2)
    np.savez_compressed(os.path.splitext(args.out)[0] + "_hidden.npz", hidden=hidden,
                        labels=labels)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
