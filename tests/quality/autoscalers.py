"""The autoscaler variants a trace's copies run, read from the policy files of policies/.

Each file is what a user would write, in real-world units (a 15 s interval, "for 5m", a 300 s
stabilization window, rate(...[1m])), one document per workload (the app's and the workers'), and
is never tuned per trace. `load` picks the document that names the copy's Deployment, fills in
$NAMESPACE, $PROMETHEUS_URL and $REDIS_URL, and compresses every duration by the harness's time
factor (`Timing`), so that both autoscalers run on the same compressed clock; the cluster's own
HPA timings (sync period, readiness delay, CPU initialization period) are scaled the same way by
hack/quality.sh.

What is compressed: a ScalingPolicy's duration strings (interval, for, period, stabilizationWindow,
hold, cooldown) and the engine's defaults for those it leaves out (spell_out_defaults), an HPA's
(or a Gearbox HPA-form behavior's) stabilizationWindowSeconds and periodSeconds, PromQL range selectors ([1m]), and the thresholds and targets of rules on a queue's
oldestWaitSeconds (Gearbox reads the job's timestamp on the real clock). Not a source's timeout:
that is the network's.
"""
import os
import re
import string
from dataclasses import dataclass

import yaml

POLICY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policies")
VARIANTS = ("gearbox-seed", "gearbox-prod", "hpa-cpu60", "hpa-cpu70", "hpa-cpu80", "hpa-intent",
            "hpa-same-metric")
# Every autoscaler's bounds (the policy files say the same; test_policies.py checks it), which the
# harness's starting count and the oracle use too.
APP_MIN, APP_MAX = 2, 20
WORKER_MIN, WORKER_MAX = 2, 30
TARGETS = {"web": "app", "queue": "worker"}       # the Deployment a trace kind's copies run

DURATION_KEYS = {"interval", "for", "period", "stabilizationWindow", "hold", "cooldown"}
SECONDS_KEYS = {"stabilizationWindowSeconds", "periodSeconds"}
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_RANGE = re.compile(r"\[((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)\]")


def bounds(kind):
    return (WORKER_MIN, WORKER_MAX) if kind == "queue" else (APP_MIN, APP_MAX)


def parse_duration(text):
    """Seconds of a duration string (5m, 1m30s, 500ms)."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * _UNIT_S[u] for n, u in parts)


@dataclass
class Timing:
    factor: float

    def duration(self, sim_seconds):
        """A duration string for a simulated duration (milliseconds when not whole seconds)."""
        ms = round(sim_seconds * 1000 / self.factor)
        return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"

    def seconds(self, sim_seconds):
        """Whole seconds (the HPA's fields are integers); 0 stays 0, anything else at least 1."""
        return 0 if sim_seconds == 0 else max(1, round(sim_seconds / self.factor))

    def query(self, promql):
        """PromQL with every range selector compressed: [1m] -> [12s] at factor 5."""
        return _RANGE.sub(lambda m: f"[{self.duration(parse_duration(m.group(1)))}]", promql)


def compress(obj, timing):
    """A copy of a policy or HPA with every duration divided by the time factor."""
    if isinstance(obj, list):
        return [compress(x, timing) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        if key in DURATION_KEYS and isinstance(value, str):
            out[key] = timing.duration(parse_duration(value))
        elif key in SECONDS_KEYS and isinstance(value, (int, float)):
            out[key] = timing.seconds(value)
        elif key == "query" and isinstance(value, str):
            out[key] = timing.query(value)
        else:
            out[key] = compress(value, timing)
    if out.get("kind") == "ScalingPolicy":
        _compress_wall_clock_waits(out["spec"], timing)
    return out


def _compress_wall_clock_waits(spec, timing):
    """Rules on a queue's oldestWaitSeconds compare an age on the real clock: their numbers are
    durations, divided as the rest."""
    waits = {m["name"] for m in spec.get("metrics", [])
             if m.get("queue", {}).get("measure") == "oldestWaitSeconds"}
    for component in spec.get("components", []):
        for direction in ("scaleUp", "scaleDown"):
            rule_set = component.get(direction, {})
            for rule in rule_set.get("anyOf", []) + rule_set.get("allOf", []):
                if rule["metric"] in waits:
                    for key in ("above", "below", "target"):
                        if key in rule:
                            rule[key] = rule[key] / timing.factor


# The engine's defaults for what a policy leaves out (docs/engine.md, docs/api.md): durations like
# any other, so they are written out before everything is compressed, as kube-controller-manager's
# own defaults are compressed by its flags (a 5m window left uncompressed would be 25 simulated
# minutes).
GEARBOX_DOWN_WINDOW = "5m"
GEARBOX_FORM_KEYS = {"maxPods", "maxPercent", "stabilizationWindow", "period"}
HPA_UP_DEFAULTS = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
    {"type": "Percent", "value": 100, "periodSeconds": 15},
    {"type": "Pods", "value": 4, "periodSeconds": 15}]}
HPA_DOWN_DEFAULTS = {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [
    {"type": "Percent", "value": 100, "periodSeconds": 15}]}


def spell_out_defaults(doc):
    """A ScalingPolicy with the engine's default windows and periods written into each workload's
    behavior, so that `compress` divides them too. The form is the engine's: Gearbox's when the
    behavior is left out or a block has one of its fields, else the HPA's (empty blocks too)."""
    if doc.get("kind") != "ScalingPolicy":
        return doc
    for component in doc["spec"]["components"]:
        if component.get("role", "workload") != "workload":
            continue
        given = component.get("behavior")
        behavior = component.setdefault("behavior", {})
        up, down = behavior.get("scaleUp") or {}, behavior.get("scaleDown") or {}
        if given is None or GEARBOX_FORM_KEYS & (set(up) | set(down)):
            behavior["scaleDown"] = {"stabilizationWindow": GEARBOX_DOWN_WINDOW, **down}
        else:
            behavior["scaleUp"] = {**HPA_UP_DEFAULTS, **up}
            behavior["scaleDown"] = {**HPA_DOWN_DEFAULTS, **down}
    return doc


def documents(variant):
    with open(os.path.join(POLICY_DIR, variant + ".yaml")) as f:
        return f.read()


def target_of(doc):
    """The Deployment a policy document scales (an HPA's scaleTargetRef, a policy's component)."""
    if doc["kind"] == "HorizontalPodAutoscaler":
        return doc["spec"]["scaleTargetRef"]["name"]
    return doc["spec"]["components"][0]["target"]["name"]


def load(variant, target, ns, timing, prometheus_url="", redis_url=""):
    """The variant's document for the Deployment `target`, filled in and compressed."""
    text = string.Template(documents(variant)).safe_substitute(
        NAMESPACE=ns, PROMETHEUS_URL=prometheus_url, REDIS_URL=redis_url)
    docs = [d for d in yaml.safe_load_all(text) if d]
    chosen = [d for d in docs if target_of(d) == target]
    if len(chosen) != 1:
        raise ValueError(f"policies/{variant}.yaml: {len(chosen)} documents scale {target!r}")
    doc = compress(spell_out_defaults(chosen[0]), timing)
    doc["metadata"]["namespace"] = ns
    return doc


def collection(doc):
    """The API collection a document is created in."""
    ns = doc["metadata"]["namespace"]
    if doc["kind"] == "HorizontalPodAutoscaler":
        return f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
    return f"/apis/gearbox.dev/v1alpha1/namespaces/{ns}/scalingpolicies"


def reads_redis(doc):
    """A ScalingPolicy reading a queue from Redis: its copy mirrors the model's queue there."""
    return doc["kind"] == "ScalingPolicy" and "redis" in doc["spec"].get("sources", {})


def replica_bounds(doc):
    """(min, max) a document gives its Deployment."""
    if doc["kind"] == "HorizontalPodAutoscaler":
        return doc["spec"]["minReplicas"], doc["spec"]["maxReplicas"]
    r = doc["spec"]["components"][0]["replicas"]
    return r["min"], r["max"]


def external_rules(timing):
    """{external metric name: PromQL template with $NAMESPACE}, compressed (the adapter's)."""
    with open(os.path.join(POLICY_DIR, "external-metrics.yaml")) as f:
        rules = yaml.safe_load(f)["rules"]
    return {r["name"]: timing.query(r["query"]) for r in rules}
