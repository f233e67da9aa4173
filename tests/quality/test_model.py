"""Unit tests of the harness's model (service.py), its traces and its figures (figures.py)."""
import math
import unittest

import figures
import service
import stacks
import traces


class ErlangTest(unittest.TestCase):
    def test_one_server_waits_with_probability_rho(self):
        self.assertAlmostEqual(service.erlang_c(1, 0.6), 0.6)

    def test_two_servers_at_one_erlang(self):
        # P(wait) = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)) = 1 / 3
        self.assertAlmostEqual(service.erlang_c(2, 1.0), 1 / 3)

    def test_more_servers_less_waiting(self):
        self.assertLess(service.erlang_c(40, 30), service.erlang_c(8, 6))


class LatencyTest(unittest.TestCase):
    def test_p95_of_service_alone(self):
        shape = service.LatencyShape(0.0, 0.0, 1.0)
        self.assertAlmostEqual(service.quantile([(shape, 1)], 0.95), math.log(20) * service.SERVICE_S,
                               places=4)

    def test_backlog_delays_every_request(self):
        shape = service.LatencyShape(2.0, 1.0, 1 / service.SERVICE_S)
        self.assertEqual(shape.survival(1.99), 1.0)
        self.assertGreater(service.quantile([(shape, 1)], 0.95), 2.0)

    def test_minute_mixture_weights_requests(self):
        calm, slow = service.LatencyShape(0, 0, 1), service.LatencyShape(5, 0, 1 / service.SERVICE_S)
        # 1% of the requests slow: below the p95; 10%: above it.
        self.assertLess(service.quantile([(calm, 99), (slow, 1)], 0.95), 0.5)
        self.assertGreater(service.quantile([(calm, 90), (slow, 10)], 0.95), 5)

    def test_overload_piles_up_and_times_out(self):
        web = service.WebService()
        _, busy = web.tick(200, 2, 1)          # capacity 160/s: 40 requests left over
        self.assertEqual(busy, 1.0)
        self.assertAlmostEqual(web.backlog, 40)
        for _ in range(100):
            web.tick(200, 2, 1)
        self.assertAlmostEqual(web.backlog, service.TIMEOUT_S * 160)
        self.assertGreater(web.dropped, 0)

    def test_light_load_busy_share_is_cpu(self):
        shape, busy = service.WebService().tick(80, 2, 1)
        self.assertAlmostEqual(busy, 0.5)
        self.assertEqual(service.pod_cpu_millicores(busy, True), service.CPU_REQUEST_M // 2)
        self.assertEqual(service.pod_cpu_millicores(busy, False), service.STARTING_CPU_M)
        self.assertLess(shape.wait_prob, 0.5)


class QueueTest(unittest.TestCase):
    def test_oldest_job_waits_since_it_arrived(self):
        q = service.JobQueue()
        for t in range(1, 11):                 # 10 jobs/s for 10 s, nobody working
            q.tick(t, 10, 0, 1)
        self.assertAlmostEqual(q.waiting(), 100)
        self.assertAlmostEqual(q.oldest_wait(10), 9)
        for t in range(11, 14):                # 4 workers take 20/s: the first 60 jobs gone
            q.tick(t, 0, 4, 1)
        self.assertAlmostEqual(q.waiting(), 40)
        self.assertAlmostEqual(q.oldest_wait(13), 13 - 7)


def rows(*replicas):
    return [stacks.Row(minute=i, load=0, pods=r, ready=r, replicas=r, cpu_percent=0, p95=0)
            for i, r in enumerate(replicas)]


class FiguresTest(unittest.TestCase):
    def test_a_reversal_is_the_other_way_within_five_minutes(self):
        self.assertEqual(figures.reversals(figures.changes(rows(2, 4, 4, 3))), 1)
        self.assertEqual(figures.reversals(figures.changes(rows(2, 4, 4, 4, 4, 4, 4, 3))), 0)
        self.assertEqual(figures.reversals(figures.changes(rows(2, 4, 5, 6))), 0)

    def test_recovery_needs_five_minutes_within_the_slo(self):
        values = {8: 9.0, 9: 9.0, 10: 0.1, 11: 0.1, 12: 0.9, 13: 0.1, 14: 0.1, 15: 0.1, 16: 0.1,
                  17: 0.1}
        self.assertEqual(figures.recovery(values, 0.5, 8), 5)
        self.assertIsNone(figures.recovery(values, 0.05, 8))

    def test_replica_minutes_integrate_pods(self):
        record = stacks.Record(rows(2, 2, 4))
        f = figures.compute(record, traces.Trace("t", "queue", "t", [0, 2], [0, 0]))
        self.assertAlmostEqual(f.replica_minutes, 4)
        self.assertEqual(f.scale_events, 1)

    def test_goal(self):
        hpa = figures.Figures(10, 30, 100.0, 5, 0, None, 1.0)
        self.assertTrue(figures.meets_goal(figures.Figures(5, 30, 100.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(6, 30, 90.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(2, 30, 101.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(2, 30, 90.0, 3, 1, None, 1.0), hpa))


class TraceTest(unittest.TestCase):
    def test_every_trace_loads_and_cuts(self):
        for name in traces.names():
            t = traces.load(name)
            self.assertIn(t.kind, ("web", "queue"))
            self.assertGreater(t.length_min, 20)
        flash = traces.load("flash", 8.5)
        self.assertEqual(flash.length_min, 8.5)
        self.assertAlmostEqual(flash.at(8.5), 550)
        self.assertEqual(flash.event_minute, 8)


if __name__ == "__main__":
    unittest.main()
