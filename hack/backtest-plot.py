#!/usr/bin/env python3
"""hack/backtest-plot.py -- a PNG of what a backtest says a ScalingPolicy would have done.

    backtest-plot.py TSV PNG

TSV is what `gearbox-controller backtest --tsv FILE` writes: a column `time` (unix seconds), one
column per metric (empty where it could not be read), `phase`, and per component NAME, NAME_min
and NAME_max. The top panel draws the metrics, each scaled to its own maximum over the range (the
legend says the maximum) so that metrics of different units share one axis; the bottom one each
component's replicas, its bounds dashed. The phases are background bands in both. Needs
matplotlib (Debian: apt-get install python3-matplotlib).
"""
import csv
import sys
from datetime import datetime, timezone

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.dates as mdates
except ImportError:
    sys.exit("backtest-plot: needs matplotlib (apt-get install python3-matplotlib)")


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        sys.exit(f"backtest-plot: {path} holds no steps")
    return rows


def columns(header):
    """The metric columns (between time and phase) and the component names (after phase)."""
    phase = header.index("phase")
    metrics = header[1:phase]
    components = [c for c in header[phase + 1:] if not c.endswith(("_min", "_max"))]
    return metrics, components


def number(text):
    return float(text) if text != "" else float("nan")


def phase_bands(ax, times, phases, colours):
    """A background band per run of one phase, coloured by phase; each phase labelled once."""
    palette = plt.get_cmap("Pastel2").colors
    start = 0
    for i in range(1, len(phases) + 1):
        if i < len(phases) and phases[i] == phases[start]:
            continue
        name = phases[start] or "-"
        first = name not in colours
        colour = colours.setdefault(name, palette[len(colours) % len(palette)])
        end = times[i] if i < len(phases) else times[-1]
        ax.axvspan(times[start], end, color=colour, alpha=0.6, lw=0,
                   label=f"phase {name}" if first else None)
        start = i


def plot_metrics(ax, times, rows, metrics):
    for m in metrics:
        values = [number(r[m]) for r in rows]
        if all(v != v for v in values):  # never readable (not replayed): nothing to draw
            ax.plot([], [], lw=1.2, label=f"{m} (no data)")
            continue
        top = max(v for v in values if v == v) or 1
        ax.step(times, [v / top for v in values], where="post", lw=1.2,
                label=f"{m} (max {top:g})")
    ax.set_ylabel("metric / its max")
    ax.set_ylim(0, 1.1)


def plot_replicas(ax, times, rows, components):
    for i, c in enumerate(components):
        colour = f"C{i}"
        ax.step(times, [int(r[c]) for r in rows], where="post", color=colour, lw=1.5, label=c)
        for bound in ("_min", "_max"):
            ax.step(times, [int(r[c + bound]) for r in rows], where="post", color=colour,
                    lw=0.8, ls="--")
    ax.set_ylabel("replicas (bounds dashed)")


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: backtest-plot.py TSV PNG")
    rows = read(argv[1])
    metrics, components = columns(list(rows[0].keys()))
    times = [datetime.fromtimestamp(int(float(r["time"])), tz=timezone.utc) for r in rows]
    phases = [r["phase"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6))
    colours = {}
    for ax in (top, bottom):
        phase_bands(ax, times, phases, colours)
    plot_metrics(top, times, rows, metrics)
    plot_replicas(bottom, times, rows, components)
    top.legend(loc="upper left", fontsize=8, ncol=3)
    bottom.legend(loc="upper left", fontsize=8, ncol=4)
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=timezone.utc))
    bottom.set_xlabel("UTC")
    top.set_title("gearbox backtest")
    fig.tight_layout()
    fig.savefig(argv[2], dpi=90)


if __name__ == "__main__":
    main(sys.argv)
