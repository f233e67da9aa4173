#!/usr/bin/python3
"""Writes generated traces to look at: a CSV per trace (traces.save, which traces.load reads) and,
with --png, a PNG per family (each seed's load, and the oracle's pods at each speed).

The harness does not need the files: it generates its traces from family, seed and speed
(traces.generate). They are for reading a family's shapes before running it, and for replaying
one trace elsewhere. The five files of traces/ are the first harness's (issue 16), kept while
quality.py still reads them.

    make_traces.py --out /tmp/traces --seeds 1,2,3 --speeds 0.8,1.0,1.2 --png
"""
import argparse
import os

import traces


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="directory for the CSVs (and PNGs)")
    p.add_argument("--families", default=",".join(traces.family_names()))
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--speeds", default="0.8,1.0,1.2")
    p.add_argument("--png", action="store_true", help="also a PNG per family")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    families = args.families.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    speeds = [float(s) for s in args.speeds.split(",")]
    runs = traces.matrix(families, seeds, speeds)
    for t in runs:
        traces.save(t, args.out)
    print(f"{len(runs)} traces in {args.out}")
    if args.png:
        import plot
        for family in families:
            path = plot.family_png([t for t in runs if t.family == family],
                                   os.path.join(args.out, f"family-{family}.png"))
            print(path)


if __name__ == "__main__":
    main()
