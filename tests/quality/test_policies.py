"""The policy files of policies/ as the harness applies them (autoscalers.py): one document per
workload in every variant, the bounds the harness and the oracle assume, the seed's numbers only in
the seed-style policy, and every duration divided by the time factor."""
import unittest

import yaml

import autoscalers

TIMING = autoscalers.Timing(5)


def doc(variant, target):
    return autoscalers.load(variant, target, "q-ns", TIMING, "http://prom", "redis://r")


def rules(policy, direction):
    rule_set = policy["spec"]["components"][0][direction]
    return rule_set.get("anyOf", []) + rule_set.get("allOf", [])


class PolicyFilesTest(unittest.TestCase):
    def test_every_variant_scales_both_workloads_within_the_harness_bounds(self):
        for variant in autoscalers.VARIANTS:
            for kind, target in autoscalers.TARGETS.items():
                d = doc(variant, target)
                self.assertEqual(autoscalers.target_of(d), target, variant)
                self.assertEqual(autoscalers.replica_bounds(d), autoscalers.bounds(kind), variant)
                self.assertEqual(d["metadata"]["namespace"], "q-ns")

    def test_the_seed_style_policy_has_the_seeds_numbers_and_nothing_else(self):
        app = doc("gearbox-seed", "app")
        up, down = rules(app, "scaleUp"), rules(app, "scaleDown")
        self.assertEqual([(r["metric"], r["above"], r["for"]) for r in up],
                         [("cpu", 70, "60s"), ("responseTime", 0.5, "60s")])   # 5m / 5
        self.assertEqual([(r["metric"], r["below"], r.get("for")) for r in down],
                         [("cpu", 30, "120s"), ("responseTime", 0.2, None)])   # 10m / 5
        worker = doc("gearbox-seed", "worker")
        self.assertEqual([(r["metric"], r["above"]) for r in rules(worker, "scaleUp")],
                         [("queueDepth", 1000), ("jobWait", 12.0)])            # 60 s on the real clock
        files = list(yaml.safe_load_all(autoscalers.documents("gearbox-seed")))
        self.assertFalse(any("behavior" in d["spec"]["components"][0] for d in files))
        for policy in (app, worker):
            component = policy["spec"]["components"][0]
            # The engine's default scale-down window (5m), written out and compressed as the rest.
            self.assertEqual(component["behavior"], {"scaleDown": {"stabilizationWindow": "60s"}})
            self.assertFalse(any("target" in r for r in rules(policy, "scaleUp") + rules(policy, "scaleDown")))
            self.assertEqual(policy["spec"]["interval"], "3s")
        self.assertTrue(autoscalers.reads_redis(worker))
        self.assertFalse(autoscalers.reads_redis(app))

    def test_the_intent_hpa_waits_as_the_seed_says(self):
        behavior = doc("hpa-intent", "app")["spec"]["behavior"]
        self.assertEqual(behavior["scaleUp"]["stabilizationWindowSeconds"], 60)      # 300 s / 5
        self.assertEqual(behavior["scaleDown"]["stabilizationWindowSeconds"], 120)   # 600 s / 5
        self.assertEqual(behavior["scaleUp"]["policies"][0]["periodSeconds"], 3)     # 15 s / 5
        metric = doc("hpa-intent", "app")["spec"]["metrics"][0]["resource"]
        self.assertEqual(metric["target"]["averageUtilization"], 70)

    def test_the_cpu_hpas_differ_by_their_target_only(self):
        base = doc("hpa-cpu70", "app")
        for n in (60, 80):
            other = doc(f"hpa-cpu{n}", "app")
            self.assertEqual(other["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], n)
            other["spec"]["metrics"] = base["spec"]["metrics"]
            self.assertEqual(other, base)

    def test_the_production_policy_fills_in_its_urls_and_compresses_ranges(self):
        app = doc("gearbox-prod", "app")
        self.assertEqual(app["spec"]["sources"]["prometheus"]["url"], "http://prom")
        queries = [m["prometheus"]["query"] for m in app["spec"]["metrics"] if "prometheus" in m]
        self.assertTrue(all('namespace="q-ns"' in q and "[12s]" in q for q in queries), queries)
        behavior = app["spec"]["components"][0]["behavior"]
        self.assertEqual(behavior["scaleDown"]["stabilizationWindowSeconds"], 60)
        # The HPA form's defaults for what the file leaves out, compressed too (15 s periods).
        self.assertEqual([p["periodSeconds"] for p in behavior["scaleUp"]["policies"]], [3, 3])
        self.assertEqual(behavior["scaleDown"]["policies"][0]["periodSeconds"], 3)

    def test_the_production_policys_sizing_rules_fire_past_the_tolerance(self):
        """A sizing rule fires 10% above its target, as the HPA moves past its tolerance (at the
        target itself, a scale-down would land on the scale-up threshold: Gearbox warns)."""
        for target in autoscalers.TARGETS.values():
            for rule in rules(doc("gearbox-prod", target), "scaleUp"):
                if "target" in rule:
                    self.assertGreaterEqual(rule["above"], 1.09 * rule["target"], rule)


class TimingTest(unittest.TestCase):
    def test_durations(self):
        self.assertEqual(autoscalers.parse_duration("1m30s"), 90)
        self.assertEqual(TIMING.duration(15), "3s")
        self.assertEqual(TIMING.duration(4), "800ms")
        self.assertEqual(TIMING.seconds(0), 0)
        self.assertEqual(TIMING.seconds(2), 1)
        self.assertEqual(TIMING.query("rate(x[1m]) / rate(y[90s])"), "rate(x[12s]) / rate(y[18s])")
        self.assertRaises(ValueError, autoscalers.parse_duration, "5 minutes")


if __name__ == "__main__":
    unittest.main()
