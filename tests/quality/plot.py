"""One PNG per trace (matplotlib): the load, each autoscaler's pods and spec.replicas, and each
one's latency per minute (or the oldest job's wait) against the SLO line."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import figures  # noqa: E402

COLOURS = {"gearbox": "tab:blue", "hpa": "tab:orange"}
LABELS = {"gearbox": "Gearbox", "hpa": "HPA"}


def draw(trace, records, results, factor, path):
    """records/results: {autoscaler: Record / Figures}."""
    fig, (ax_load, ax_rep, ax_slo) = plt.subplots(3, 1, figsize=(9, 7), sharex=True,
                                                   gridspec_kw={"height_ratios": [1, 1.4, 1.2]})
    any_record = next(iter(records.values()))
    minutes = [r.minute for r in any_record.rows]
    ax_load.plot(minutes, [r.load for r in any_record.rows], color="black", lw=1)
    ax_load.set_ylabel("jobs/s in" if trace.kind == "queue" else "requests/s")
    ax_load.set_title(f"{trace.title} (time compressed {factor:g}x; minutes of the trace)", fontsize=10)
    for name, record in records.items():
        f = results[name]
        label = (f"{LABELS[name]}: {f.slo_minutes} min over SLO, {f.replica_minutes:.0f} replica-min, "
                 f"{f.scale_events} scale events, {f.reversals} reversals")
        ax_rep.plot([r.minute for r in record.rows], [r.pods for r in record.rows],
                    color=COLOURS[name], lw=1.4, label=label)
        ax_rep.plot([r.minute for r in record.rows], [r.ready for r in record.rows],
                    color=COLOURS[name], lw=0.8, ls=":")
        values = figures.minute_values(record, trace.kind)
        ms = sorted(values)
        ax_slo.step([m + 1 for m in ms], [values[m] for m in ms], where="pre",
                    color=COLOURS[name], lw=1.2, label=LABELS[name])
    ax_rep.set_ylabel("pods (dotted: ready)")
    ax_rep.legend(fontsize=8, loc="upper left")
    slo = figures.SLO_JOB_WAIT_S if trace.kind == "queue" else figures.SLO_P95_S
    ax_slo.axhline(slo, color="red", ls="--", lw=1, label="SLO")
    ax_slo.set_yscale("log")
    ax_slo.set_ylabel("oldest job wait, s" if trace.kind == "queue" else "p95 per minute, s")
    ax_slo.set_xlabel("minute")
    ax_slo.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
