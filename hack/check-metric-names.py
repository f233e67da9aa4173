#!/usr/bin/env python3
"""hack/check-metric-names.py -- every metric a query names is one the controller exports.

    check-metric-names.py [--dashboard FILE]... [--rules FILE]... --scrape FILE...

Takes every PromQL expression of the Grafana dashboards (panel targets and template variables)
and of the Prometheus rules files, pulls out the metric names they read, and fails listing each
name that no /metrics scrape file contains. A name is in a scrape when a `# TYPE name` line or a
sample of it is there; `x_bucket`, `x_sum` and `x_count` also count as present when `x` is a
histogram or summary family there, and so does what a recording rule of the rules files
writes. The dashboards are validated too: they parse, have a uid and
a title, every panel (rows aside) has targets with an expression, and no two panels share an id.

Python 3 standard library only: the rules files are read as JSON, or as the YAML that helm and
promtool write (each `expr:` a plain, quoted or block scalar).
"""
import argparse
import json
import re
import sys

# Words of PromQL that are not metric names when they stand alone.
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
    "and", "or", "unless", "atan2", "inf", "nan",
}
# Keywords followed by a parenthesised list of label names.
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"


def strip_noise(expr):
    """The expression without strings, label matchers, ranges, Grafana variables and numbers."""
    expr = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|`[^`]*`', " ", expr)  # string literals
    expr = re.sub(r"\{[^{}]*\}", " ", expr)  # label matchers (strings are gone, so no braces inside)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # ranges and subqueries: [5m], [$__rate_interval], [1h:5m]
    expr = re.sub(r"\$\{[^}]*\}|\$" + NAME, " ", expr)  # Grafana variables
    expr = re.sub(r"(?<![\w:.])(\d+(ms|s|m|h|d|w|y))+\b", " ", expr)  # durations (offset 1h30m)
    return re.sub(r"(?<![\w:])(0x[0-9a-fA-F]+|\d*\.?\d+([eE][+-]?\d+)?)", " ", expr)  # numbers


def metric_names(expr):
    """The metric names an expression reads."""
    text = strip_noise(expr)
    names = set()
    tokens = re.finditer(NAME + r"|\(|\)", text)
    skip_depth = 0  # > 0 inside a label list (by (...), on (...), ...)
    expect_label_list = False
    for tok in tokens:
        word = tok.group(0)
        if word == "(":
            if skip_depth or expect_label_list:
                skip_depth += 1
            expect_label_list = False
            continue
        if word == ")":
            skip_depth = max(0, skip_depth - 1)
            continue
        expect_label_list = False
        if skip_depth:
            continue
        if word.lower() in LABEL_LIST_KEYWORDS:
            expect_label_list = True
            continue
        if word.lower() in KEYWORDS:
            continue
        if re.match(r"\s*((by|without)\s*)?\(", text[tok.end():], re.I):  # a function or an aggregation
            continue
        names.add(word)
    return names


def grafana_variable_expr(query):
    """The PromQL inside a Grafana Prometheus variable query, or None when it reads no metric."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*" + NAME + r"\s*\)\s*", query, re.S)
    if m:
        return m.group(1)
    if re.fullmatch(r"\s*(label_values\(\s*" + NAME + r"\s*\)|label_names\(\s*\)|metrics\(.*\))\s*", query, re.S):
        return None
    m = re.fullmatch(r"\s*query_result\((.*)\)\s*", query, re.S)
    return m.group(1) if m else query


def panels_of(dashboard):
    """Every panel, including those inside (collapsed) rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_exprs(path, dashboard, problems):
    """(where, expr) of every panel target; appends panels without queries and shared ids."""
    exprs, ids = [], {}
    for panel in panels_of(dashboard):
        title = panel.get("title", "(untitled)")
        if panel.get("id") in ids:
            problems.append(f"{path}: panels '{ids[panel['id']]}' and '{title}' share id {panel['id']}")
        ids.setdefault(panel.get("id"), title)
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{path}: panel '{title}' has no targets")
        for t in targets:
            if (t.get("expr") or "").strip():
                exprs.append((f"{path}: panel '{title}'", t["expr"]))
            else:
                problems.append(f"{path}: panel '{title}' target {t.get('refId', '?')} has no expr")
    return exprs


def variable_exprs(path, dashboard):
    """(where, expr) of the dashboard's query variables that read a metric."""
    exprs = []
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") != "query":
            continue
        query = var.get("query")
        query = query.get("query", "") if isinstance(query, dict) else (query or "")
        inner = grafana_variable_expr(query)
        if inner:
            exprs.append((f"{path}: variable ${var.get('name')}", inner))
    return exprs


def dashboard_exprs(path, problems):
    """(where, expr) of every query of a dashboard; appends what is wrong with it to problems."""
    try:
        with open(path) as f:
            dashboard = json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"{path}: not a readable JSON dashboard: {e}")
        return []
    problems.extend(f"{path}: no {key}" for key in ("uid", "title") if not dashboard.get(key))
    return panel_exprs(path, dashboard, problems) + variable_exprs(path, dashboard)


def yaml_scalar(lines, i, value):
    """The `expr:` value at line i: a block scalar (|, >), or a plain or quoted one, which may go
    on over more indented lines (line breaks read as spaces: PromQL does not mind)."""
    key_indent = lines[i].index("expr:")  # its column, also in a "- expr:" list item
    following = []
    for line in lines[i + 1:]:
        if line.strip() and len(line) - len(line.lstrip(" ")) <= key_indent:
            break
        following.append(line)
    if value.strip()[:1] in ("|", ">"):
        body = [l for l in following if l.strip()]
        indent = min((len(l) - len(l.lstrip(" ")) for l in body), default=0)
        return "\n".join(l[indent:] for l in following).strip()
    text = " ".join([value.strip()] + [l.strip() for l in following])
    if text[:1] == '"':
        m = re.match(r'"((?:\\.|[^"\\])*)"', text)
        escapes = {"n": "\n", "t": "\t"}
        return re.sub(r"\\(.)", lambda e: escapes.get(e.group(1), e.group(1)), m.group(1)) if m else text
    if text[:1] == "'":
        m = re.match(r"'((?:''|[^'])*)'", text)
        return m.group(1).replace("''", "'") if m else text
    return text


def rules_exprs(path, problems, recorded):
    """(where, expr) of every rule of a Prometheus rules file (JSON, or YAML as helm/promtool write
    it); adds the names its recording rules write to recorded."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        problems.append(f"{path}: {e}")
        return []
    if text.lstrip().startswith("{"):
        rules = [r for g in json.loads(text).get("groups", []) for r in g.get("rules", [])]
        recorded.update(r["record"] for r in rules if "record" in r)
        return [(f"{path}: {r.get('alert') or r.get('record')}", r["expr"]) for r in rules]
    lines, exprs, name = text.splitlines(), [], "?"
    for i, line in enumerate(lines):
        m = re.match(r"\s*(?:-\s+)?(alert|record):\s*(.+)", line)
        if m:
            name = m.group(2).strip().strip("'\"")
            if m.group(1) == "record":
                recorded.add(name)
        m = re.match(r"\s*(?:-\s+)?expr:\s*(.*)", line)
        if m:
            exprs.append((f"{path}: {name}", yaml_scalar(lines, i, m.group(1))))
    if not exprs:
        problems.append(f"{path}: no rule expressions found")
    return exprs


def exported_names(paths):
    """The metric names of /metrics scrapes, and the families declared histogram or summary."""
    names, histograms = set(), set()
    for path in paths:
        with open(path) as f:
            for line in f:
                m = re.match(r"#\s*TYPE\s+(" + NAME + r")\s+(\w+)", line)
                if m:
                    names.add(m.group(1))
                    if m.group(2) in ("histogram", "summary"):
                        histograms.add(m.group(1))
                elif not line.startswith("#"):
                    m = re.match(NAME, line.strip())
                    if m:
                        names.add(m.group(0))
    return names, histograms


def is_exported(name, names, histograms):
    if name in names:
        return True
    return any(name.endswith(s) and name[: -len(s)] in histograms for s in HISTOGRAM_SUFFIXES)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dashboard", action="append", default=[], help="a Grafana dashboard JSON")
    parser.add_argument("--rules", action="append", default=[], help="a Prometheus rules file")
    parser.add_argument("--scrape", action="append", required=True, help="a /metrics scrape (text format)")
    args = parser.parse_args()

    problems, exprs, recorded = [], [], set()
    for path in args.dashboard:
        exprs += dashboard_exprs(path, problems)
    for path in args.rules:
        exprs += rules_exprs(path, problems, recorded)
    names, histograms = exported_names(args.scrape)
    names |= recorded  # what the rules record is there for the others to read
    used = {}
    for where, expr in exprs:
        for name in metric_names(expr):
            used.setdefault(name, []).append(where)
    for name in sorted(used):
        if not is_exported(name, names, histograms):
            problems.append(f"{name}: not in the scrape(s), used by " + "; ".join(sorted(set(used[name]))))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"{len(exprs)} expressions read {len(used)} metric names, all in the scrape(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
