"""The scale benchmark's printout (one table, a row per N, then what does not fit in a cell) and
its files (JSON with everything, TSV with the scalar figures)."""
import csv
import json
import os
import time


def num(x, digits=2):
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    return f"{x:.{digits}f}"


def seconds(x):
    """Durations from milliseconds to minutes, each with a sensible number of digits."""
    if x is None:
        return "n/a"
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def triple(*values, fmt=seconds):
    return "/".join(fmt(v) for v in values)


def lag_cell(r):
    top = seconds(r.get("lag_max"))
    if r.get("lag_max_beyond"):
        top = ">" + top
    return f"{seconds(r.get('lag_p50'))}/{seconds(r.get('lag_p99'))}/{top}"


COLUMNS = [
    ("N", lambda r: str(r["n"])),
    ("create s", lambda r: seconds(r.get("create_s"))),
    ("ready s", lambda r: seconds(r.get("ready_s"))),
    ("all eval s", lambda r: seconds(r.get("all_evaluated_s"))
     if r.get("all_evaluated_s") is not None else f"{r.get('evaluated_at_start', 0)} only"),
    ("eval/s (need)",
     lambda r: f"{num(r.get('evals_per_s'), 1)} ({num(r.get('needed_per_s'), 1)})"),
    ("lag p50/p99/max s", lag_cell),
    ("read→rep p50/p99 s", lambda r: triple(r.get("read_p50"), r.get("read_p99"))),
    ("cross→rep p50/p99 s", lambda r: triple(r.get("cross_p50"), r.get("cross_p99"))),
    ("cores", lambda r: num(r.get("cores"), 3)),
    ("RSS MiB (peak)", lambda r: f"{num(r.get('rss_mib'), 1)} ({num(r.get('hwm_mib'), 1)})"),
    ("KiB/pol", lambda r: num(r.get("kib_per_policy"), 1)),
    ("req/eval", lambda r: num(r.get("req_per_eval"), 2)),
    ("GET dep + dep/scale /eval", lambda r: f"{num(r.get('get_deploy_per_eval'), 2)} + "
                                            f"{num(r.get('get_scale_per_eval'), 2)}"),
    ("writes idle", lambda r: f"{num(r.get('writes_idle'), 0)} "
                              f"({num(r.get('writes_idle_apiserver'), 0)})"),
    ("429 cli/api/APF", lambda r: triple(r.get("throttled_client"), r.get("throttled_apiserver"),
                                         r.get("apf_rejected"), fmt=lambda v: num(v, 0))),
    ("fake cores", lambda r: num(r.get("fake_cores"), 3)),
]


def table(rows):
    cells = [[name for name, _ in COLUMNS]]
    for r in rows:
        cells.append([cell(r) if "error" not in r or name in ("N", "create s", "ready s") else "-"
                      for name, cell in COLUMNS])
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = []
    for k, row in enumerate(cells):
        lines.append(" | ".join(c.rjust(w) for c, w in zip(row, widths)))
        if k == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def growth(rows):
    """Cost per unit at each N: constant means the total cost grows linearly with N."""
    ok = [r for r in rows if "error" not in r]
    if not ok:
        return []
    cpu = ", ".join(f"N={r['n']} {num(r.get('cpu_ms_per_eval'), 3)}" for r in ok)
    mem = ", ".join(f"N={r['n']} {num(r.get('kib_per_policy'), 1)}" for r in ok)
    lines = [f"  CPU-ms per evaluation: {cpu}", f"  KiB per policy:        {mem}"]
    # The slope between two Ns leaves out what the first policy costs once (threads, watches,
    # connections, allocator arenas), which dominates KiB per policy at small N.
    steps = [f"N={a['n']}→{b['n']} {(b['rss_mib'] - a['rss_mib']) * 1024 / (b['n'] - a['n']):.1f}"
             for a, b in zip(ok, ok[1:])]
    if steps:
        lines.append(f"  KiB per added policy:  {', '.join(steps)}")
    first, last = ok[0], ok[-1]
    if len(ok) > 1:
        def ratio(key):
            a, b = first.get(key), last.get(key)
            return f"x{b / a:.2f}" if a and b is not None else "n/a"
        lines.append(f"  from N={first['n']} to N={last['n']} (x{last['n'] / first['n']:g} "
                     f"policies): CPU per evaluation {ratio('cpu_ms_per_eval')}, memory per "
                     f"policy {ratio('kib_per_policy')} (x1 = total cost linear in N)")
    return lines


def details(r):
    """What does not fit in the table, for one N."""
    if "error" in r:
        return [f"N={r['n']}: FAILED: {r['error']} (log {r.get('log')})"]
    pairs = ", ".join(f"{verb} {res} {count:.2f}" for verb, res, count in r["top_pairs"])
    out = [
        f"N={r['n']}: API requests per evaluation ({r['api_source']}): {pairs or 'none'}",
        f"  window {r['window_s']:.0f} s, {r['evaluations']:.0f} evaluations "
        f"({num(r['fake_queries_per_eval'], 2)} Prometheus queries each); "
        f"{num(r['cpu_ms_per_eval'], 3)} CPU-ms per evaluation; "
        f"triggers {r['triggers']} ({r['triggers_missed']} without a replica change); "
        f"read→rep max {seconds(r['read_max'])} s, cross→rep max {seconds(r['cross_max'])} s",
        f"  writes on triggered objects {r['trigger_writes']}, changes to untouched objects "
        f"{r['unexpected_changes']}, writes refused (409 and such) "
        f"{num(r['writes_refused'], 0)}; reconcile errors {num(r['reconcile_errors'], 0)}, metric "
        f"source errors {r['source_errors'] or 0}",
        f"  controller threads {r['threads']}; other processes (cores): kube-apiserver "
        f"{num(r['apiserver_cores'], 3)}, etcd "
        f"{num(r['etcd_cores'], 3)}, redis {num(r['redis_cores'], 3)}, fake Prometheus "
        f"{num(r['fake_cores'], 3)}; kube-controller-manager settled "
        f"{seconds(r.get('kcm_settle_s'))} s after creation; controller stopped in "
        f"{seconds(r['stop_s'])} s",
        f"  controller log: {r['log_levels'] or 'empty'} ({r['log']})",
    ]
    if r.get("replicas", 1) > 1:
        out.insert(1, f"  {r['replicas']} shards (cores and RSS in the table are their sum): the "
                      f"busiest replica {num(r['cores_replica_max'], 3)} cores, the largest "
                      f"{num(r['rss_replica_max_mib'], 1)} MiB RSS")
    out += [f"    {count} x {message}" for count, message in r["log_top"]]
    if r.get("other_controllers"):
        out.append(f"  WARNING: other gearbox-controllers ran against this cluster during the "
                   f"window (pids {r['other_controllers']}): the API server's counts and the "
                   f"triggers may include theirs (the two write counts differ if so)")
    if r.get("watch_errors"):
        out.append(f"  benchmark watch errors: {r['watch_errors']}")
    return out


def print_all(meta, idle, rows):
    print()
    print(f"Gearbox scale benchmark ({meta['started']}; {meta['cpus']} CPUs; "
          f"{meta.get('shards', 1)} controller(s); mix {meta.get('mix', 'prometheus')}; interval "
          f"{meta['interval_s']:g} s; window {meta['window_s']:g} s per N; controller "
          f"concurrency {meta['concurrency']})")
    if idle:
        print(f"idle (no policies): start → ready {seconds(idle['ready_s'])} s, RSS "
              f"{idle['rss_mib']:.1f} MiB (peak {idle['hwm_mib']:.1f}), {idle['threads']} threads, "
              f"{idle['cores']:.4f} cores")
    else:
        print("idle: not measured (policies existed before the run)")
    print()
    print(table(rows))
    print()
    print("lag: due → evaluated (gearbox_evaluation_lag_seconds; max = its highest non-empty "
          "bucket's bound). read→rep: the fake served the crossing value → spec.replicas "
          "changed; cross→rep: value set → changed (includes waiting for the next evaluation). "
          "writes idle: writes that no trigger accounts for, controller's counter (API server's "
          "count). 429: the controller's, the API server's, APF rejections.")
    print()
    for r in rows:
        for line in details(r):
            print(line)
    print()
    print("Growth (cost per unit; constant = linear in N):")
    for line in growth(rows):
        print(line)


SCALARS = ["n", "create_s", "kcm_settle_s", "ready_s", "all_evaluated_s", "evaluated_at_start",
           "window_s", "evaluations", "evals_per_s", "needed_per_s", "lag_p50", "lag_p99",
           "lag_max", "lag_max_beyond", "read_p50", "read_p99", "read_max", "cross_p50",
           "cross_p99", "cross_max", "triggers", "triggers_missed", "cores", "cpu_ms_per_eval",
           "rss_mib", "hwm_mib", "threads", "kib_per_policy", "api_source", "req_per_eval",
           "get_deploy_per_eval", "get_scale_per_eval", "writes_idle", "writes_idle_apiserver",
           "writes_refused",
           "trigger_writes", "unexpected_changes", "throttled_client", "throttled_apiserver",
           "apf_rejected", "fake_cores", "fake_queries_per_eval", "apiserver_cores", "etcd_cores",
           "redis_cores", "reconcile_errors", "stop_s", "error"]


def save(out_dir, meta, idle, rows):
    """scale-<time>.json and .tsv (and scale-latest.* copies) in out_dir; their paths."""
    stamp = meta.setdefault("stamp", time.strftime("%Y%m%d-%H%M%S"))
    base = os.path.join(out_dir, f"scale-{stamp}")
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "idle": idle, "rows": rows}, f, indent=1, default=str)
    with open(base + ".tsv", "w", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow(SCALARS + ["idle_ready_s", "idle_rss_mib"])
        for r in rows:
            w.writerow([r.get(k, "") if r.get(k) is not None else "" for k in SCALARS] +
                       [idle["ready_s"] if idle else "", idle["rss_mib"] if idle else ""])
    for ext in (".json", ".tsv"):
        latest = os.path.join(out_dir, "scale-latest" + ext)
        if os.path.lexists(latest):
            os.remove(latest)
        os.symlink(os.path.basename(base + ext), latest)
    return base + ".json", base + ".tsv"
