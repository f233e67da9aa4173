"""Unit tests of the report (report.py: medians, ranges, ratios, the goals) and its pictures."""
import json
import os
import tempfile
import unittest

import figures
import oracle
import plot
import replay
import report
import traces


def figs(slo, replica_minutes, per_hour=0.0):
    """Figures with the three numbers the goals read (the rest neutral)."""
    return figures.Figures(slo, 30, replica_minutes, 0, 0, None, 0.0,
                           oracle_replica_minutes=100.0, oracle_ratio=replica_minutes / 100.0,
                           direction_changes_per_hour=per_hour)


def run(family, seed, **by):
    """One run of a family's trace with the given {autoscaler: Figures}."""
    trace = traces.Trace(f"{family}-s{seed}-x10", "web", family, [0, 30], [100, 100],
                         family=family, seed=seed)
    return trace, {name.replace("_", "-"): f for name, f in by.items()}


class SpreadTest(unittest.TestCase):
    def test_median_and_range_skip_missing_values(self):
        s = report.spread([3, 1, None, 2, 10])
        self.assertEqual((s.median, s.low, s.high, s.count), (2.5, 1, 10, 4))
        self.assertEqual(s.format("{:.0f}"), "2 [1-10]")     # 2.5 rounds to even
        self.assertEqual(report.spread([4]).format("{:.0f}"), "4")
        self.assertIsNone(report.spread([None]))

    def test_figures_are_grouped_by_family_over_seeds(self):
        results = [run("flash", 1, a=figs(4, 100)), run("flash", 2, a=figs(0, 200)),
                   run("flash", 3, a=figs(9, 150)), run("ramp", 1, a=figs(7, 90))]
        families = report.by_family(results)
        self.assertEqual(list(families), ["flash", "ramp"])
        s = report.figure(families["flash"], "a", "slo_minutes")
        self.assertEqual((s.median, s.low, s.high), (4, 0, 9))

    def test_replica_minutes_ratio_is_the_median_of_paired_ratios(self):
        runs = [run("f", 1, a=figs(0, 110), b=figs(0, 100)), run("f", 2, a=figs(0, 180), b=figs(0, 300)),
                run("f", 3, a=figs(0, 90), b=figs(0, 100))]
        r = report.paired_ratio(runs, "a", "b")
        self.assertAlmostEqual(r.median, 0.9)
        self.assertAlmostEqual(r.low, 0.6)
        self.assertAlmostEqual(r.high, 1.1)

    def test_slo_ratio_is_of_the_medians_and_none_against_zero(self):
        runs = [run("f", 1, a=figs(2, 1), b=figs(4, 1)), run("f", 2, a=figs(3, 1), b=figs(8, 1))]
        self.assertAlmostEqual(report.median_ratio(runs, "a", "b"), 2.5 / 6)
        zero = [run("f", 1, a=figs(2, 1), b=figs(0, 1))]
        self.assertIsNone(report.median_ratio(zero, "a", "b"))

    def test_table_has_a_row_per_autoscaler_and_the_ratios(self):
        results = [run("flash", 1, gearbox_seed=figs(1, 90), hpa_intent=figs(2, 100))]
        text = "\n".join(report.table(results, "hpa-intent"))
        self.assertIn("flash: 1 run(s)", text)
        self.assertRegex(text, r"gearbox-seed +1 +0\.00 +0\.00 +90 +0\.90")
        self.assertIn("gearbox-seed / hpa-intent: SLO minutes (medians) 0.50x, replica-minutes 0.90x", text)


class GoalTest(unittest.TestCase):
    def seeds(self, family, policy, reference, names=("gearbox-seed", "hpa-intent")):
        """Three seeds of a family, the policy's and the reference's (slo, replica-minutes) each."""
        return [run(family, i, **{names[0].replace("-", "_"): figs(*policy[i]),
                                  names[1].replace("-", "_"): figs(*reference[i])}) for i in range(3)]

    def test_seed_style_met_on_the_median(self):
        # One seed worse on both, the medians better: met.
        results = self.seeds("flash", [(2, 100), (9, 130), (1, 90)], [(3, 100), (4, 100), (2, 100)])
        ok, lines = report.goal_seed_style(results)
        self.assertTrue(ok, lines)
        self.assertIn("flash: met", lines[0])

    def test_seed_style_not_met_on_more_slo_minutes_or_more_replicas(self):
        worse_slo = self.seeds("flash", [(3, 90), (5, 90), (1, 90)], [(2, 100), (4, 100), (2, 100)])
        self.assertFalse(report.goal_seed_style(worse_slo)[0])
        dearer = self.seeds("ramp", [(0, 101), (0, 102), (0, 90)], [(0, 100)] * 3)
        ok, lines = report.goal_seed_style(dearer)
        self.assertFalse(ok)
        self.assertIn("ramp: NOT met", lines[0])

    def test_seed_style_fails_on_any_family_and_on_a_missing_reference(self):
        good = self.seeds("flash", [(0, 90)] * 3, [(1, 100)] * 3)
        bad = self.seeds("ramp", [(2, 90)] * 3, [(1, 100)] * 3)
        self.assertTrue(report.goal_seed_style(good)[0])
        self.assertFalse(report.goal_seed_style(good + bad)[0])
        self.assertFalse(report.goal_seed_style(good, reference="hpa-cpu70")[0])

    def test_seed_style_guard_on_every_run(self):
        def one(policy, reference):
            return [run("spike-down", 1, gearbox_seed=policy, hpa_intent=reference)]
        quick = one(figs(7, 230), figs(13, 75))
        ok, lines = report.seed_style_guard(quick)
        self.assertTrue(ok, lines)   # the replica-minutes are not part of the guard
        self.assertFalse(report.seed_style_guard(one(figs(14, 70), figs(13, 75)))[0])
        self.assertFalse(report.seed_style_guard(one(figs(0, 70, 6.0), figs(1, 75)))[0])
        self.assertFalse(report.seed_style_guard(quick, reference="hpa-cpu70")[0])

    def test_no_limit_cycle_on_every_plateau_and_sawtooth_run(self):
        calm = [run("plateau", i, p=figs(0, 1, 1.5)) for i in range(3)]
        self.assertTrue(report.no_limit_cycle(calm, "p")[0])
        # One run of three cycling is a fault even though the median is calm.
        cycling = calm + [run("sawtooth", 1, p=figs(0, 1, 12.0))]
        ok, lines = report.no_limit_cycle(cycling, "p")
        self.assertFalse(ok)
        self.assertIn("sawtooth-s1-x10: NOT met", lines[0])
        # Other families may follow their load up and down.
        self.assertTrue(report.no_limit_cycle(calm + [run("diurnal", 1, p=figs(0, 1, 9.0))], "p")[0])
        self.assertFalse(report.no_limit_cycle([run("flash", 1, p=figs(0, 1))], "p")[0])

    def test_production_against_the_best_hpa_row(self):
        def family(prod, cpu70, same_metric):
            return [run("flash", i, gearbox_prod=figs(*prod), hpa_cpu70=figs(*cpu70),
                        hpa_same_metric=figs(*same_metric)) for i in range(3)]
        # The best HPA row is the same-metric one (2 SLO minutes): half of it at fewer replicas.
        ok, lines = report.goal_production(family((1, 95), (6, 90), (2, 100)))
        self.assertTrue(ok, lines)
        self.assertIn("(hpa-same-metric)", lines[0])
        # 0.5x the worse HPA row's SLO minutes is not enough.
        self.assertFalse(report.goal_production(family((2, 95), (6, 90), (2, 100)))[0])
        # Nor at more replica-minutes than the best row's.
        self.assertFalse(report.goal_production(family((1, 105), (6, 90), (2, 100)))[0])

    def test_best_hpa_breaks_ties_by_replica_minutes(self):
        runs = [run("f", 1, hpa_cpu60=figs(0, 120), hpa_cpu70=figs(0, 100), gearbox_prod=figs(0, 1))]
        self.assertEqual(report.best_hpa(runs), "hpa-cpu70")

    def test_frontier(self):
        runs = [run("f", 1, gearbox_prod=figs(2, 100), hpa_cpu60=figs(0, 150), hpa_cpu80=figs(5, 90))]
        self.assertTrue(report.goal_frontier(runs)[0])
        runs = [run("f", 1, gearbox_prod=figs(2, 100), hpa_cpu70=figs(2, 95))]
        ok, lines = report.goal_frontier(runs)
        self.assertFalse(ok)
        self.assertIn("dominated by hpa-cpu70", lines[0])

    def test_json_round_trip(self):
        trace = traces.generate("flash", 2, 1.2, length_min=20)
        results = [(trace, {"hpa-cpu70": figs(3, 120.5)})]
        back = report.from_json(json.loads(json.dumps(report.to_json(results))))
        self.assertEqual(back[0][0].name, trace.name)
        self.assertEqual(back[0][0].values, trace.values)
        self.assertEqual(back[0][1], results[0][1])


class PictureTest(unittest.TestCase):
    def test_pareto_and_trace_pngs_are_written(self):
        trace = traces.generate("plateau", 1, 1.0, length_min=10)
        best = oracle.solve(trace)
        records = {"oracle-copy": replay.run(trace, best.pods), "hpa-cpu60": replay.run(trace, lambda m: 6),
                   "hpa-cpu80": replay.run(trace, lambda m: 2)}
        by = {n: figures.compute(r, trace, best) for n, r in records.items()}
        with tempfile.TemporaryDirectory() as d:
            plot.draw(trace, records, by, 5, os.path.join(d, "t.png"), best)
            plot.pareto_png([(trace, by)], "plateau", os.path.join(d, "p", "pareto.png"))
            for path in ("t.png", "p/pareto.png"):
                with open(os.path.join(d, path), "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_a_target_sweep_is_one_kind(self):
        self.assertEqual(plot.kind_of("hpa-cpu60"), "hpa")
        self.assertEqual(plot.kind_of("gearbox-seed"), "gearbox")
        self.assertEqual(plot.kind_of("oracle"), "oracle")


if __name__ == "__main__":
    unittest.main()
