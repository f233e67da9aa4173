"""Unit tests of the harness's model (service.py), the trace files and the figures (figures.py)."""
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


class SpeedTest(unittest.TestCase):
    """speed multiplies the service time: a slower service carries fewer requests per pod."""

    def test_capacity_per_pod_follows_the_speed(self):
        self.assertAlmostEqual(service.pod_capacity_rps(0.8), 100)
        self.assertAlmostEqual(service.pod_capacity_rps(1.0), service.POD_CAPACITY_RPS)
        self.assertAlmostEqual(service.pod_capacity_rps(1.25), 64)

    def test_the_same_load_is_busier_and_slower_on_a_slow_service(self):
        shape_fast, busy_fast = service.WebService(speed=0.8).tick(64, 1, 1)
        shape_slow, busy_slow = service.WebService(speed=1.2).tick(64, 1, 1)
        self.assertAlmostEqual(busy_fast, 64 * 0.04 / 4)
        self.assertAlmostEqual(busy_slow, 64 * 0.06 / 4)
        self.assertGreater(service.quantile([(shape_slow, 1)], 0.95),
                           service.quantile([(shape_fast, 1)], 0.95))

    def test_above_a_slow_pods_capacity_a_backlog_builds(self):
        slow, nominal = service.WebService(speed=1.2), service.WebService()
        for _ in range(10):
            slow.tick(75, 1, 1)          # 66.7/s at x1.2
            nominal.tick(75, 1, 1)       # 80/s
        self.assertAlmostEqual(slow.backlog, 10 * (75 - 80 / 1.2))
        self.assertEqual(nominal.backlog, 0)

    def test_a_slow_worker_takes_fewer_jobs(self):
        q = service.JobQueue(speed=1.25)
        q.tick(1, 10, 1, 1)                    # 10 jobs in, one worker at 4/s
        self.assertAlmostEqual(q.waiting(), 6)
        self.assertEqual(service.JobQueue().speed, 1.0)


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


def timed_rows(replicas_at, minutes, every_s=5):
    """Rows every every_s for `minutes`, spec.replicas (= pods = ready) from replicas_at(minute)."""
    out = []
    for i in range(int(minutes * 60 / every_s) + 1):
        m = i * every_s / 60
        r = replicas_at(m)
        out.append(stacks.Row(minute=m, load=0, pods=r, ready=r, replicas=r, cpu_percent=0, p95=0))
    return out


class DirectionChangesTest(unittest.TestCase):
    def test_a_three_two_three_cycle_every_five_minutes_is_about_24_an_hour(self):
        # 12 steps down and 12 up, alternating: 23 turns between them.
        rows = timed_rows(lambda m: 2 if 0.5 <= m % 5 < 3 else 3, 60)
        self.assertEqual(figures.direction_changes(figures.steps(rows)), 23)
        self.assertAlmostEqual(figures.per_hour(23, rows), 23)

    def test_counted_at_any_interval(self):
        # One cycle 20 minutes apart counts as one cycle: the old reversal (< 5 min) missed it.
        rows = timed_rows(lambda m: 2 if 10 <= m < 30 else 3, 40)
        self.assertEqual(figures.direction_changes(figures.steps(rows)), 1)
        self.assertEqual(figures.reversals(figures.changes(rows)), 0)

    def test_a_peak_followed_down_is_one_change(self):
        rows = timed_rows(lambda m: 6 if 5 <= m < 15 else (4 if 15 <= m < 20 else 2), 30)
        self.assertEqual(figures.direction_changes(figures.steps(rows)), 1)
        rising = timed_rows(lambda m: 2 + int(m // 5), 30)
        self.assertEqual(figures.direction_changes(figures.steps(rising)), 0)

    def test_changes_within_ten_seconds_merge_into_one_step(self):
        # 2 -> 5 then 5 -> 4 five seconds later: one step of +2.
        rows = timed_rows(lambda m: 2 if m < 1 else (5 if m < 1 + 5 / 60 else 4), 3)
        self.assertEqual(figures.steps(rows), [(1.0, 2)])
        # Down and back up 10 s later: one step of no net change, not a cycle.
        blip = timed_rows(lambda m: 2 if 1 <= m < 1 + 10 / 60 else 3, 3)
        self.assertEqual(figures.steps(blip), [])
        self.assertEqual(figures.direction_changes(figures.steps(blip)), 0)
        # The same 15 s apart: two steps, one cycle.
        apart = timed_rows(lambda m: 2 if 1 <= m < 1.25 else 3, 3)
        self.assertEqual([d for _, d in figures.steps(apart)], [-1, 1])
        self.assertEqual(figures.direction_changes(figures.steps(apart)), 1)

    def test_merging_chains_changes_each_within_ten_seconds(self):
        # 2 -> 3 -> 4 -> 5, 10 s apart each: one step of +3 (a chain, not a window from the first).
        rows = timed_rows(lambda m: 2 + sum(round(m * 60) >= s for s in (60, 70, 80)), 3)
        self.assertEqual(figures.steps(rows), [(1.0, 3)])


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

    def test_under_provisioned_minutes_compare_the_mean_ready_pods(self):
        rows = timed_rows(lambda m: 2 if m < 1.5 else 3, 3)      # minute 1: half 2, half 3 ready
        self.assertEqual(figures.under_provisioned(rows, [2, 3, 3], [0, 1, 2]), 1)
        self.assertEqual(figures.under_provisioned(rows, [2, 2, 3], [0, 1, 2]), 0)
        self.assertEqual(figures.under_provisioned(rows, [3, 3, 3], [0, 1, 2]), 2)

    def test_p99_worst_minute_and_whole_run(self):
        calm, slow = service.LatencyShape(0, 0, 1 / service.SERVICE_S), service.LatencyShape(
            3, 1, 1 / service.SERVICE_S)
        record = stacks.Record(rows(2, 2, 2, 2), {0: [(calm, 100)], 1: [(calm, 98), (slow, 2)],
                                                  2: [(calm, 100)]})
        f = figures.compute(record, traces.Trace("t", "web", "t", [0, 3], [100, 100]))
        self.assertEqual(f.minutes, 3)
        self.assertLess(f.worst, 0.5)                     # 2% slow: not in the minute's p95
        self.assertGreater(f.p99_worst_s, 3)              # but in its p99
        self.assertLess(f.p99_s, 0.5)                     # and not in the run's: 1% of it

    def test_goal(self):
        hpa = figures.Figures(10, 30, 100.0, 5, 0, None, 1.0)
        self.assertTrue(figures.meets_goal(figures.Figures(5, 30, 100.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(6, 30, 90.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(2, 30, 101.0, 3, 0, None, 1.0), hpa))
        self.assertFalse(figures.meets_goal(figures.Figures(2, 30, 90.0, 3, 1, None, 1.0), hpa))


if __name__ == "__main__":
    unittest.main()
