#!/usr/bin/python3
"""The fair decision-quality harness (issue 27): every trace of a matrix (families x seeds x
service speeds, traces.matrix) replayed against one copy of the same service per autoscaler
variant (autoscalers.VARIANTS: Gearbox's seed-style and production policies, the HPA on CPU at
60/70/80%, with the seed's intent, and on the production policy's own metric), each copy in a
namespace of its own, side by side and at the same time, in one cluster: the real HPA in
kube-controller-manager and the Gearbox controller, both reading CPU from the harness's metrics
adapter (metrics_adapter.py, also the HPA's external metrics from Prometheus).

Traces run in batches small enough for the machine to keep up (--batch-copies copies at once);
each batch logs its tick lag. Prints the report's table per family (median [range]) and the goals,
writes a PNG per trace and a Pareto PNG per family, the rows as TSV, and figures.json
(report.from_json reads it) to --out. With --assert-seed-goal, exits 1 unless the seed-style goal
is met (report.goal_seed_style: gearbox-seed against hpa-intent); with --assert-seed-guard, unless
what CI asserts holds (report.seed_style_guard: no more SLO minutes than hpa-intent on every run,
no limit cycle; the goal's replica-minutes half is not met, docs/quality.md).
"""
import argparse
import math
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import redis  # noqa: E402

import autoscalers  # noqa: E402
import figures  # noqa: E402
import metrics_adapter  # noqa: E402
import oracle  # noqa: E402
import plot  # noqa: E402
import report  # noqa: E402
import service  # noqa: E402
import stacks  # noqa: E402
import traces  # noqa: E402
from exposition import Exposition  # noqa: E402
from kube import Kube  # noqa: E402

TICK_S = 1.0        # real seconds between ticks
LOG_EVERY_S = 30.0


def log(msg):
    print(f"[quality] {time.strftime('%H:%M:%S')} {msg}", flush=True)


def csv(text, convert=str):
    return [convert(x) for x in text.split(",") if x]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--factor", type=float, default=5.0, help="simulated seconds per real second")
    p.add_argument("--families", default=",".join(traces.family_names()))
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--speeds", default="0.8,1.0,1.2")
    p.add_argument("--variants", default=",".join(autoscalers.VARIANTS))
    p.add_argument("--minutes", type=float, help="cut every trace at this simulated minute")
    p.add_argument("--batch-copies", type=int, default=84,
                   help="copies run at once (a trace's variants are never split)")
    p.add_argument("--prometheus-url", required=True)
    p.add_argument("--redis-url", required=True)
    p.add_argument("--port", type=int, required=True, help="where Prometheus scrapes this program")
    p.add_argument("--adapter-port", type=int, required=True, help="the metrics adapter's HTTPS port")
    p.add_argument("--out", required=True)
    p.add_argument("--reference", default="hpa-intent", help="the report's ratios are against it")
    p.add_argument("--assert-seed-goal", action="store_true")
    p.add_argument("--assert-seed-guard", action="store_true")
    return p.parse_args(argv)


def initial_replicas(trace):
    """Every copy starts where the HPA would settle for the trace's first load (70% CPU at the
    trace's speed), within the bounds."""
    lo, hi = autoscalers.bounds(trace.kind)
    per_pod = (service.worker_jobs_per_s(trace.speed) if trace.kind == "queue"
               else service.pod_capacity_rps(trace.speed))
    return min(hi, max(lo, math.ceil(trace.at(0) / (per_pod * 0.7))))


def batches(trace_list, variants, batch_copies):
    """The traces in batches of at most batch_copies copies (at least one trace each), the
    longest first, so that a batch's traces end at about the same time."""
    per_batch = max(1, batch_copies // len(variants))
    ordered = sorted(trace_list, key=lambda t: -t.length_min)
    return [ordered[i:i + per_batch] for i in range(0, len(ordered), per_batch)]


class Harness:
    def __init__(self, args):
        self.args = args
        self.kube = Kube(args.kubeconfig)
        self.timing = autoscalers.Timing(args.factor)
        self.variants = csv(args.variants)
        self.exposition = Exposition(args.factor)
        self.usage = metrics_adapter.PodUsage(metrics_adapter.RESOLUTION_SIM_S / args.factor)
        self.redis = redis.Redis.from_url(args.redis_url)
        self.view = None

    def start(self):
        self.exposition.serve(self.args.port)
        adapter = metrics_adapter.Adapter(self.usage, autoscalers.external_rules(self.timing),
                                          metrics_adapter.Prometheus(self.args.prometheus_url))
        metrics_adapter.serve(adapter, self.args.adapter_port)
        metrics_adapter.register(self.kube, self.args.adapter_port)
        log(f"metrics adapter on 127.0.0.1:{self.args.adapter_port}: metrics.k8s.io (every "
            f"{self.usage.resolution_s:g} s = {metrics_adapter.RESOLUTION_SIM_S:g} simulated s) "
            "and external.metrics.k8s.io registered")
        self.view = stacks.ClusterView(self.kube).start()

    def make_copies(self, trace):
        """{variant: Copy} of a trace, created in the cluster."""
        copies = {}
        for variant in self.variants:
            ns = stacks.namespace(trace, variant)
            doc = autoscalers.load(variant, autoscalers.TARGETS[trace.kind], ns, self.timing,
                                   self.args.prometheus_url, self.args.redis_url)
            mirror = stacks.RedisQueueMirror(self.redis, ns) if autoscalers.reads_redis(doc) else None
            copy = stacks.Copy(self.kube, self.view, trace, variant, self.exposition, self.usage, mirror)
            copy.create(initial_replicas(trace), doc, autoscalers.collection(doc))
            copies[variant] = copy
        return copies

    def wait_ready(self, runs, timeout=180):
        """Until every copy's pods are ready (as many as its Deployment asks for now: an
        autoscaler may already have moved it)."""
        deadline = time.monotonic() + timeout
        waiting = []
        while time.monotonic() < deadline:
            waiting = [c.ns for _, cs in runs for c in cs.values()
                       if c.ready_pods() < max(1, self.view.replicas(c.ns, c.target))]
            if not waiting:
                return
            time.sleep(0.5)
        raise SystemExit(f"[quality] pods not ready after {timeout} s in {', '.join(waiting)}")

    def wait_gone(self, namespaces, timeout=120):
        """Until the pods of a finished batch are gone (they would slow the next one's start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(self.view.pods_in(ns) for ns in namespaces):
            time.sleep(1)

    def run_batch(self, number, trace_list):
        """Runs a batch to its longest trace's end; returns ({trace name: {variant: Record}},
        the batch's tick statistics)."""
        runs = [(t, self.make_copies(t)) for t in trace_list]
        copies = sum(len(cs) for _, cs in runs)
        self.wait_ready(runs)
        longest = max(t.length_min for t in trace_list)
        log(f"batch {number}: {len(runs)} trace(s) x {len(self.variants)} variant(s) = {copies} "
            f"copies ({', '.join(t.name for t in trace_list)}); {longest:g} simulated minutes = "
            f"{longest * 60 / self.args.factor:.0f} s")
        stats = self.tick_loop(runs)
        stats.update(batch=number, copies=copies, traces=[t.name for t in trace_list])
        log(f"batch {number} done: {stats['ticks']} ticks, tick work mean {stats['work_mean_s']:.3f} s "
            f"max {stats['work_max_s']:.3f} s, lag behind the tick schedule mean "
            f"{stats['lag_mean_s']:.3f} s max {stats['lag_max_s']:.3f} s (tick every {TICK_S:g} s)")
        for _, cs in runs:
            for c in cs.values():
                c.delete()
        self.wait_gone([c.ns for _, cs in runs for c in cs.values()])
        return {t.name: {v: c.record for v, c in cs.items()} for t, cs in runs}, stats

    def tick_loop(self, runs):
        """Ticks every copy until each trace has ended (real time x factor); the simulated clock
        is the wall clock's, so a late tick is a longer one, never a slower clock."""
        factor = self.args.factor
        start = last = time.monotonic()
        last_log, works, lags = start, [], []
        while True:
            now = time.monotonic()
            lags.append(max(0.0, now - (start + len(lags) * TICK_S)))
            minute, dt, last = (now - start) * factor / 60, (now - last) * factor, now
            active = [(t, c) for t, cs in runs for c in cs.values() if minute <= t.length_min]
            if not active:
                break
            self.view.healthy()
            for trace, copy in active:
                copy.tick(minute, trace.at(minute), dt)
            works.append(time.monotonic() - now)
            if now - last_log >= LOG_EVERY_S:
                last_log = now
                log(f"minute {minute:.1f}: {len(active)} copies, tick work {works[-1]:.3f} s, lag "
                    f"{lags[-1]:.3f} s; pods per variant: {pods_per_variant(active)}")
            time.sleep(max(0.0, start + len(lags) * TICK_S - time.monotonic()))
        return {"ticks": len(works), "work_mean_s": statistics.fmean(works or [0]),
                "work_max_s": max(works or [0]), "lag_mean_s": statistics.fmean(lags),
                "lag_max_s": max(lags)}


def pods_per_variant(active):
    """"gearbox-seed 41, hpa-intent 37, ...": the pods of each variant's active copies."""
    total = {}
    for _, c in active:
        total[c.variant] = total.get(c.variant, 0) + c.record.rows[-1].pods
    return ", ".join(f"{v} {n}" for v, n in total.items())


def write_tsv(path, records):
    with open(path, "w") as f:
        f.write("autoscaler\tminute\tload\tpods\tready\treplicas\tcpu_percent\tp95_or_wait\twaiting\n")
        for name, record in records.items():
            for r in record.rows:
                f.write(f"{name}\t{r.minute:.3f}\t{r.load:.1f}\t{r.pods}\t{r.ready}\t{r.replicas}\t"
                        f"{r.cpu_percent:.0f}\t{'' if r.p95 is None else f'{r.p95:.3f}'}\t{r.waiting:.0f}\n")


def evaluate(args, trace, records):
    """The trace's figures per variant, its PNG and TSV."""
    best = oracle.solve(trace)
    by = {v: figures.compute(r, trace, best) for v, r in records.items()}
    plot.draw(trace, records, by, args.factor, os.path.join(args.out, f"{trace.name}.png"), best)
    write_tsv(os.path.join(args.out, f"{trace.name}.tsv"), records)
    return by


def print_report(args, results):
    print(f"\nDecision quality (time compressed {args.factor:g}x; figures in simulated minutes; "
          f"median [range] over each family's runs)")
    print("\n".join(report.table(results, args.reference)))
    seed_goal = report.goal_seed_style(results, reference=args.reference)
    seed_guard = report.seed_style_guard(results, reference=args.reference)
    checks = [("seed-style goal (gearbox-seed against hpa-intent)", seed_goal),
              ("seed-style guard (CI: SLO minutes, no limit cycle)", seed_guard)]
    names = {n for _, by in results for n in by}
    if "gearbox-prod" in names:
        checks += [("production goal", report.goal_production(results)),
                   ("Pareto frontier", report.goal_frontier(results))]
    if any(report.family_of(t) in report.LIMIT_CYCLE_FAMILIES for t, _ in results):
        checks += [(f"no limit cycle ({n})", report.no_limit_cycle(results, n))
                   for n in ("gearbox-seed", "gearbox-prod") if n in names]
    for title, (ok, lines) in checks:
        print(f"\n{title}: {'met' if ok else 'NOT met'}")
        print("\n".join("  " + line for line in lines))
    return seed_goal[0], seed_guard[0]


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    trace_list = traces.matrix(csv(args.families), csv(args.seeds, int), csv(args.speeds, float),
                               args.minutes)
    harness = Harness(args)
    harness.start()
    plan = batches(trace_list, harness.variants, args.batch_copies)
    log(f"{len(trace_list)} trace(s) x {len(harness.variants)} variant(s) in {len(plan)} batch(es)")
    results, stats = [], []
    for number, batch in enumerate(plan, 1):
        batch_records, batch_stats = harness.run_batch(number, batch)
        results += [(t, evaluate(args, t, batch_records[t.name])) for t in batch]
        stats.append(batch_stats)
        # after every batch, so that a run stopped later keeps what it measured
        with open(os.path.join(args.out, "figures.json"), "w") as f:
            json.dump(dict(report.to_json(results), factor=args.factor, batches=stats), f, indent=1)
    harness.view.stop()
    for family in report.by_family(results):
        plot.pareto_png(results, family, os.path.join(args.out, f"pareto-{family}.png"))
    met, guarded = print_report(args, results)
    log(f"PNGs, TSVs and figures.json in {args.out}")
    if args.assert_seed_goal and not met:
        log("FAIL: the seed-style goal is not met (gearbox-seed against hpa-intent)")
        return 1
    if args.assert_seed_guard and not guarded:
        log("FAIL: gearbox-seed had more SLO minutes than hpa-intent, or cycled")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
