"""What the capacity figure scripts share: their options and their outputs."""

import argparse
import os
import sys

from bioam.paper.outputs import write_figure_outputs
from bioam.validation import BioamError


def parser(doc, figure):
    """An argument parser with the options every capacity figure takes."""
    result = argparse.ArgumentParser(description=doc.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(doc.strip().splitlines()[1:]))
    result.add_argument("--out", default=os.path.join("output", "reproduction", f"fig{figure}"),
                        metavar="DIR", help="folder of the CSVs, the figure and the provenance")
    result.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="seeds of the random weights, patterns and noise")
    result.add_argument("--backend", default="cpp_standalone")
    result.add_argument("--scheduler", default=None, metavar="local|inline|ADDRESS",
                        help="Dask: a local cluster (default), here one by one, or a "
                             "running scheduler's address")
    result.add_argument("--workers", type=int, default=None,
                        help="workers of the local cluster (default: one per core)")
    result.add_argument("--cache", default=None, metavar="DIR",
                        help="keep finished settings in DIR; a rerun resumes")
    result.add_argument("--quiet", action="store_true")
    return result


def sweep_options(args):
    """The keywords of `bioam.paper.capacity.capacity_rows` from the parsed options."""
    options = {"backend": args.backend, "scheduler": args.scheduler, "n_workers": args.workers,
               "cache": args.cache, "progress": not args.quiet}
    if args.seeds is not None:
        options["seeds"] = tuple(args.seeds)
    return options


def run(main, argv):
    """Run ``main(argv)``; a `BioamError` is one line on standard error and exit code 2."""
    try:
        main(argv)
    except BioamError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


def write(args, stem, rows, summary, draw, settings):
    """Write the figure's files into --out and list them."""
    for path in write_figure_outputs(args.out, stem, rows=rows, summary=summary, draw=draw,
                                     settings=settings):
        print("wrote", path)
