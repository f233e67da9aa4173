"""Unit tests of the trace families (families.py, traces.generate/matrix) and the trace files."""
import statistics
import tempfile
import unittest

import autoscalers
import service
import traces


def mean_gap(a, b):
    """The mean |a - b| over their common minutes, relative to a's mean level."""
    length = min(a.length_min, b.length_min)
    minutes = [i / 4 for i in range(int(length * 4))]
    return (statistics.fmean(abs(a.at(m) - b.at(m)) for m in minutes)
            / statistics.fmean(a.at(m) for m in minutes))


class FamilyTest(unittest.TestCase):
    def test_the_issues_families(self):
        self.assertEqual(traces.family_names(), ["diurnal", "flash", "double-flash", "spike-down",
                                                 "ramp", "plateau", "sawtooth", "queue"])

    def test_a_seed_gives_the_same_trace_every_time(self):
        for family in traces.family_names():
            a, b = traces.generate(family, 3), traces.generate(family, 3)
            self.assertEqual((a.minutes, a.values, a.event_minute, a.title),
                             (b.minutes, b.values, b.event_minute, b.title), family)

    def test_seeds_differ_in_shape_not_only_in_noise(self):
        # The noise is at most 4% per point: a mean gap of 5% or more is the levels and timings.
        for family in traces.family_names():
            a, b, c = (traces.generate(family, s) for s in (1, 2, 3))
            self.assertEqual(len({a.title, b.title, c.title}), 3, family)
            for x, y in ((a, b), (b, c), (a, c)):
                self.assertGreater(mean_gap(x, y), 0.05, (family, x.name, y.name))

    def test_speed_changes_the_service_not_the_load(self):
        fast, slow = traces.generate("flash", 2, 0.8), traces.generate("flash", 2, 1.2)
        self.assertEqual(fast.values, slow.values)
        self.assertEqual((fast.speed, slow.speed), (0.8, 1.2))

    def test_lengths_and_peaks_fit_the_harness(self):
        for family in traces.family_names():
            for seed in range(6):
                t = traces.generate(family, seed)
                self.assertTrue(25 <= t.length_min <= 60, (t.name, t.length_min))
                self.assertEqual(t.minutes, sorted(t.minutes), t.name)
                # What the upper bound serves at the slowest speed (x1.2), below saturation.
                if t.kind == "queue":
                    top = autoscalers.WORKER_MAX * service.JOBS_PER_WORKER_S / 1.2
                else:
                    top = autoscalers.APP_MAX * service.pod_capacity_rps(1.2)
                self.assertLess(max(t.values), 0.95 * top, t.name)
                self.assertEqual(t.kind, "queue" if family == "queue" else "web")

    def test_the_plateau_sits_between_two_pod_counts(self):
        for seed in range(6):
            t = traces.generate("plateau", seed)
            pods = t.at(t.event_minute / 2) / (service.POD_CAPACITY_RPS * 0.7)
            self.assertTrue(0.2 < pods % 1 < 0.8, (t.name, pods))
            self.assertAlmostEqual(t.at(t.length_min - 1) / t.at(t.event_minute / 2), 1.5, delta=0.1)


class NameTest(unittest.TestCase):
    def test_the_name_says_family_seed_and_speed(self):
        self.assertEqual(traces.generate("flash", 2, 1.2).name, "flash-s2-x12")
        self.assertEqual(traces.generate("double-flash", 0, 0.8).name, "double-flash-s0-x08")
        self.assertEqual(traces.speed_tag(1.0), "x10")
        self.assertEqual(traces.speed_tag(1.25), "x125")

    def test_every_name_fits_a_namespace(self):
        for t in traces.matrix(traces.family_names(), [0, 11], [0.8, 1.0, 1.2]):
            ns = f"q-{t.name}-hpa-same-metric"
            self.assertRegex(ns, r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
            self.assertLessEqual(len(ns), 63)

    def test_matrix_is_families_by_seeds_by_speeds(self):
        runs = traces.matrix(["flash", "queue"], [1, 2], [0.8, 1.2])
        self.assertEqual([t.name for t in runs],
                         ["flash-s1-x08", "flash-s1-x12", "flash-s2-x08", "flash-s2-x12",
                          "queue-s1-x08", "queue-s1-x12", "queue-s2-x08", "queue-s2-x12"])

    def test_an_unknown_family_is_an_error(self):
        with self.assertRaises(ValueError):
            traces.generate("tsunami", 1)


class FileTest(unittest.TestCase):
    def test_every_trace_file_loads_and_cuts(self):
        for name in traces.names():
            t = traces.load(name)
            self.assertIn(t.kind, ("web", "queue"))
            self.assertGreater(t.length_min, 20)
        flash = traces.load("flash", 8.5)
        self.assertEqual(flash.length_min, 8.5)
        self.assertAlmostEqual(flash.at(8.5), 550)
        self.assertEqual(flash.event_minute, 8)

    def test_a_generated_trace_saved_loads_back(self):
        t = traces.generate("queue", 4, 1.2, length_min=20)
        self.assertEqual(t.length_min, 20)
        with tempfile.TemporaryDirectory() as d:
            traces.save(t, d)
            back = traces.load(t.name, directory=d)
        self.assertEqual((back.name, back.family, back.seed, back.speed, back.kind),
                         ("queue-s4-x12", "queue", 4, 1.2, "queue"))
        self.assertAlmostEqual(back.event_minute, t.event_minute, places=6)
        self.assertEqual(len(back.values), len(t.values))
        self.assertTrue(all(abs(x - y) <= 0.05 for x, y in zip(back.values, t.values)))


if __name__ == "__main__":
    unittest.main()
