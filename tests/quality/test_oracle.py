"""Unit tests of the offline oracle (oracle.py), checked by replaying its counts (replay.py)."""
import unittest

import autoscalers
import figures
import oracle
import replay
import traces


def minus_one_in(best, minute):
    """The oracle's spec.replicas with one pod fewer through `minute` (created and removed at the
    same instants otherwise)."""
    return lambda m: best.pods(m) - (1 if int(m) == minute else 0)


class OracleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.web = traces.generate("flash", 2, 1.2)
        cls.queue = traces.generate("queue", 1, 1.0)
        cls.best_web, cls.best_queue = oracle.solve(cls.web), oracle.solve(cls.queue)

    def test_its_counts_meet_the_slo_every_minute(self):
        for trace, best in ((self.web, self.best_web), (self.queue, self.best_queue)):
            f = figures.compute(replay.run(trace, best.pods), trace, best)
            self.assertEqual(f.slo_minutes, 0, trace.name)
            self.assertEqual(f.under_minutes, 0, trace.name)
            self.assertAlmostEqual(f.oracle_ratio, 1.0, places=6)

    def test_one_pod_fewer_breaks_the_minute(self):
        # The crowd's first minute, its peak, and the burst's peak: one fewer and that minute fails.
        lo = oracle.bounds("web")[0]
        crowd = int(self.web.event_minute) + 1
        peak = max(range(len(self.best_web.ready)), key=self.best_web.ready.__getitem__)
        burst = max(range(len(self.best_queue.ready)), key=self.best_queue.ready.__getitem__)
        for trace, best, minute in ((self.web, self.best_web, crowd), (self.web, self.best_web, peak),
                                    (self.queue, self.best_queue, burst)):
            self.assertGreater(best.ready[minute], lo)
            record = replay.run(trace, minus_one_in(best, minute))
            slo = figures.SLO_JOB_WAIT_S if trace.kind == "queue" else figures.SLO_P95_S
            self.assertGreater(figures.minute_values(record, trace.kind)[minute], slo,
                               (trace.name, minute))

    def test_it_provisions_ahead_by_the_start_up_time(self):
        best = self.best_web
        up = next(m for m in range(len(best.ready) - 1) if best.ready[m + 1] > best.ready[m])
        self.assertEqual(best.pods(up + 0.25), best.ready[up])
        self.assertEqual(best.pods(up + 0.75), best.ready[up + 1])     # created 30 s ahead
        down = next(m for m in range(len(best.ready) - 1) if best.ready[m + 1] < best.ready[m])
        self.assertEqual(best.pods(down + 0.75), best.ready[down])     # removed at the minute's end

    def test_replica_minutes_pay_for_the_starting_pods(self):
        # 2 pods, then 4 for a minute: the two new ones exist from 30 s before it.
        self.assertAlmostEqual(oracle.replica_minutes([2, 4, 2], 3), 1 + 2 + 4 + 2)
        self.assertAlmostEqual(oracle.replica_minutes([2, 2], 1.5), 3)

    def test_a_slower_service_needs_more_pods(self):
        fast = oracle.solve(traces.generate("flash", 2, 0.8))
        self.assertTrue(all(f <= s for f, s in zip(fast.ready, self.best_web.ready)))
        self.assertLess(fast.replica_minutes, self.best_web.replica_minutes)

    def test_its_bounds_are_the_autoscalers(self):
        self.assertEqual(oracle.bounds("web"), (autoscalers.APP_MIN, autoscalers.APP_MAX))
        self.assertEqual(oracle.bounds("queue"), (autoscalers.WORKER_MIN, autoscalers.WORKER_MAX))
        self.assertTrue(all(autoscalers.APP_MIN <= n <= autoscalers.APP_MAX
                            for n in self.best_web.ready))

    def test_an_idle_trace_needs_the_minimum(self):
        idle = traces.Trace("idle", "web", "idle", [0, 5], [1, 1])
        self.assertEqual(oracle.solve(idle).ready, [autoscalers.APP_MIN] * 5)


if __name__ == "__main__":
    unittest.main()
