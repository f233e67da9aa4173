"""The harness's pictures (matplotlib, Agg: no display needed).

- `draw`: one PNG per trace run: the load, each autoscaler's pods and ready pods with the offline
  oracle's count, and each one's latency per minute (or the oldest job's wait) against the SLO.
- `family_png`: one PNG per family's generated traces: each seed's load, and the oracle's ready
  pods for each seed at each speed (what a family asks of an autoscaler, before any run).
- `pareto_png`: one PNG per family: SLO minutes against replica-minutes, a point per autoscaler
  (the medians over the family's runs), the points of one kind (the name before its last '-':
  hpa-cpu60, hpa-cpu70 ... are "hpa") joined by a line, and the oracle's cost at 0 SLO minutes.
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import figures  # noqa: E402
import oracle  # noqa: E402
import report  # noqa: E402

PALETTE = plt.get_cmap("tab10").colors


def colours(names):
    """A colour per autoscaler, in order (the same name, the same colour on every plot of a run)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _oracle_steps(best):
    """The oracle's ready pods per minute as a step line: (minutes, counts)."""
    minutes = list(range(len(best.ready))) + [best.length_min]
    return minutes, best.ready + best.ready[-1:]


def draw(trace, records, results, factor, path, best=None):
    """records/results: {autoscaler: Record / Figures}; best: the trace's oracle.Oracle (solved
    when not given)."""
    best = best or oracle.solve(trace)
    colour = colours(records)
    fig, (ax_load, ax_rep, ax_slo) = plt.subplots(3, 1, figsize=(10, 8), sharex=True,
                                                   gridspec_kw={"height_ratios": [1, 1.6, 1.2]})
    any_record = next(iter(records.values()))
    ax_load.plot([r.minute for r in any_record.rows], [r.load for r in any_record.rows],
                 color="black", lw=1)
    ax_load.set_ylabel("jobs/s in" if trace.kind == "queue" else "requests/s")
    ax_load.set_title(f"{trace.title} (time compressed {factor:g}x; minutes of the trace)", fontsize=10)
    om, oc = _oracle_steps(best)
    ax_rep.step(om, oc, where="post", color="black", lw=1, ls="--",
                label=f"oracle: fewest ready pods for the SLO, {best.replica_minutes:.0f} replica-min")
    for name, record in records.items():
        f = results[name]
        label = (f"{name}: {f.slo_minutes} min over SLO, {f.replica_minutes:.0f} replica-min "
                 f"({_ratio(f)} oracle), {f.direction_changes_per_hour:.1f} dir ch/h")
        ax_rep.plot([r.minute for r in record.rows], [r.pods for r in record.rows],
                    color=colour[name], lw=1.4, label=label)
        ax_rep.plot([r.minute for r in record.rows], [r.ready for r in record.rows],
                    color=colour[name], lw=0.8, ls=":")
        values = figures.minute_values(record, trace.kind)
        ms = sorted(values)
        ax_slo.step([m + 1 for m in ms], [values[m] for m in ms], where="pre",
                    color=colour[name], lw=1.2, label=name)
    ax_rep.set_ylabel("pods (dotted: ready)")
    ax_rep.legend(fontsize=7, loc="upper left")
    slo = figures.SLO_JOB_WAIT_S if trace.kind == "queue" else figures.SLO_P95_S
    ax_slo.axhline(slo, color="red", ls="--", lw=1, label="SLO")
    ax_slo.set_yscale("log")
    ax_slo.set_ylabel("oldest job wait, s" if trace.kind == "queue" else "p95 per minute, s")
    ax_slo.set_xlabel("minute")
    ax_slo.legend(fontsize=7, loc="upper right")
    _save(fig, path)


def _ratio(f):
    return "-" if f.oracle_ratio is None else f"{f.oracle_ratio:.2f}x"


SPEED_STYLES = ["--", "-", ":", "-."]


def family_png(trace_list, path):
    """The family's traces (one family, several seeds and speeds); returns the path."""
    fig, (ax_load, ax_pods) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    seeds = list(dict.fromkeys(t.seed for t in trace_list))
    speeds = sorted(set(t.speed for t in trace_list))
    colour = colours(seeds)
    for t in trace_list:
        if t.speed == speeds[0]:
            ax_load.plot(t.minutes, t.values, color=colour[t.seed], lw=1, label=f"seed {t.seed}")
        om, oc = _oracle_steps(oracle.solve(t))
        ax_pods.step(om, oc, where="post", color=colour[t.seed],
                     ls=SPEED_STYLES[speeds.index(t.speed) % len(SPEED_STYLES)], lw=1,
                     label=f"seed {t.seed} x{t.speed:g}")
    ax_load.set_ylabel("jobs/s in" if trace_list[0].kind == "queue" else "requests/s")
    ax_load.set_title(f"{trace_list[0].family}: {len(seeds)} seed(s) x {len(speeds)} speed(s)",
                      fontsize=10)
    ax_load.legend(fontsize=7, loc="upper right")
    ax_pods.set_ylabel("oracle's ready pods")
    ax_pods.set_xlabel("minute")
    ax_pods.legend(fontsize=6, loc="upper right", ncol=len(speeds))
    _save(fig, path)
    return path


def kind_of(name):
    """The autoscaler's kind, the name before its last '-': a target sweep shares it."""
    return name.rsplit("-", 1)[0] if "-" in name else name


def pareto_png(results, family, path):
    """The family's Pareto plot (see the module's docstring); returns the path."""
    runs = report.by_family(results)[family]
    names = report.autoscaler_names(runs)
    colour = colours(names)
    points = {n: report.medians(runs, n) for n in names}
    fig, ax = plt.subplots(figsize=(7, 5))
    kinds = {}
    for name in names:
        kinds.setdefault(kind_of(name), []).append(name)
    for kind, members in kinds.items():
        if len(members) > 1:
            xs, ys = zip(*sorted(points[n] for n in members))
            ax.plot(xs, ys, color="grey", lw=0.8, zorder=1)
    for name, (x, y) in points.items():
        ax.scatter([x], [y], color=colour[name], zorder=2)
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    oracle_rm = report.figure(runs, names[0], "oracle_replica_minutes")
    if oracle_rm is not None and oracle_rm.median > 0:
        ax.scatter([oracle_rm.median], [0], marker="*", s=120, color="black", zorder=2)
        ax.annotate("oracle", (oracle_rm.median, 0), textcoords="offset points", xytext=(4, 4),
                    fontsize=8)
    ax.set_xlabel("replica-minutes (median over runs)")
    ax.set_ylabel("SLO minutes (median over runs)")
    ax.set_title(f"{family}: {len(runs)} run(s); lower left is better", fontsize=10)
    ax.grid(alpha=0.3)
    _save(fig, path)
    return path


def _save(fig, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
