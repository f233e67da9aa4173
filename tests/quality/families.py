"""Trace families: each a load shape whose levels and timings are drawn from ranges by a seed.

Why families and seeds: a policy tuned on five fixed traces can fit their exact numbers; drawn
shapes (where the crowd starts, how high, how long, where a plateau sits between two pod counts)
test the rule, not the fit. Everything comes from `random.Random(f"{family}/{seed}")`, so a seed
gives the same trace on every run and machine, and two seeds differ in shape, not only in noise.

Units: web loads in requests/s (one pod serves 80/s at 100% CPU at speed 1.0, so 56/s is one pod
at the HPA's 70%), queue loads in jobs/s (a worker takes 5/s). Peaks stay within what the bounds
can serve at the slowest speed (20 pods x 80/s / 1.2 = 1,333 requests/s; 30 workers x 5/s / 1.2 =
125 jobs/s), with room for the noise, so every trace has an oracle that meets the SLO. Lengths 25-60 simulated minutes.
"""
import random
from dataclasses import dataclass

import service

STEP_MIN = 0.25           # the noise's resolution (15 s, the HPA's sync period)
POD_RPS = service.POD_CAPACITY_RPS     # requests/s of one pod at 100% CPU, speed 1.0
HPA_UTILIZATION = 0.7     # the default HPA's target: "N pods' worth" means N pods at 70%
WEB_PEAK_MAX = 1150.0     # below 20 pods' capacity at speed 1.2, with room for the p95


@dataclass
class Shape:
    kind: str
    title: str
    minutes: list
    values: list
    event_minute: float = None


def _sample(points, rng, noise, length):
    """The piecewise-linear `points` [(minute, value)] every STEP_MIN and at each point's own
    minute (so a step stays a step), each value times (1 + N(0, noise)), never below 0."""
    grid = sorted({round(i * STEP_MIN, 6) for i in range(int(length / STEP_MIN) + 1)}
                  | {round(m, 6) for m, _ in points if m <= length} | {round(length, 6)})
    minutes, values = [], []
    j = 0
    for m in grid:
        while j + 1 < len(points) - 1 and points[j + 1][0] <= m:
            j += 1
        (m0, v0), (m1, v1) = points[j], points[min(j + 1, len(points) - 1)]
        if m >= m1:
            v = v1
        elif m <= m0:
            v = v0
        else:
            v = v0 + (v1 - v0) * (m - m0) / (m1 - m0)
        minutes.append(m)
        values.append(max(0.0, v * (1 + rng.gauss(0, noise))))
    return minutes, values


def _pods_worth(pods):
    """Requests/s that keep `pods` pods at the HPA's 70%."""
    return pods * POD_RPS * HPA_UTILIZATION


def diurnal(rng):
    """A day in 50-60 minutes: night, morning rise, lunch peak, afternoon dip, evening peak,
    night. The rise's steepness, the peaks' heights and their order of size vary."""
    length = rng.uniform(50, 60)
    night = rng.uniform(60, 120)
    rise = rng.uniform(4, 8)
    morning = rng.uniform(350, 600)
    lunch = morning * rng.uniform(1.05, 1.35)
    afternoon = morning * rng.uniform(0.7, 0.95)
    evening = min(WEB_PEAK_MAX, rng.uniform(600, 1000))
    t_morning = rise + rng.uniform(7, 12)
    t_lunch = t_morning + rng.uniform(5, 9)
    t_afternoon = t_lunch + rng.uniform(5, 9)
    t_evening = max(t_afternoon + 5, length * rng.uniform(0.7, 0.78))
    points = [(0, night), (rise, night), (t_morning, morning), (t_lunch, lunch),
              (t_afternoon, afternoon), (t_evening, evening), (length - 4, night * 1.3),
              (length, night)]
    return points, None, (f"diurnal day: {night:.0f} at night, {lunch:.0f} at lunch, "
                          f"{evening:.0f} at the evening peak"), rng.uniform(0.02, 0.04), length


def _flash(rng, start, base, peak, hold):
    """Points of one flash crowd from `base`: up to `peak` within 15-60 s at `start`, held,
    down over 1-4 minutes; returns (points, the minute it is over)."""
    up = start + rng.uniform(0.25, 1.0)
    down = up + hold
    over = down + rng.uniform(1, 4)
    return [(start, base), (up, peak), (down, peak)], over


def flash(rng):
    """A flash crowd: 6-10x within a minute, held 6-12 minutes, then a little above the base."""
    length = rng.uniform(30, 40)
    base = rng.uniform(80, 160)
    start = rng.uniform(6, 10)
    peak = min(WEB_PEAK_MAX, base * rng.uniform(6, 10))
    points, over = _flash(rng, start, base, peak, rng.uniform(6, 12))
    after = base * rng.uniform(1.0, 1.6)
    points = [(0, base)] + points + [(over, after), (length, after)]
    return points, start, (f"flash crowd: {base:.0f} to {peak:.0f} requests/s at minute "
                           f"{start:.1f}"), 0.02, length


def double_flash(rng):
    """Two flash crowds 4-10 minutes apart, the second 0.6-1.2x the first: does the autoscaler
    give back the first crowd's pods in the gap, and can it take them again?"""
    length = rng.uniform(40, 50)
    base = rng.uniform(80, 150)
    start = rng.uniform(5, 8)
    first = min(WEB_PEAK_MAX, base * rng.uniform(5, 9))
    one, over = _flash(rng, start, base, first, rng.uniform(4, 7))
    gap = base * rng.uniform(1.0, 1.5)
    again = over + rng.uniform(4, 10)
    second = min(WEB_PEAK_MAX, first * rng.uniform(0.6, 1.2))
    two, over2 = _flash(rng, again, gap, second, rng.uniform(3, 7))
    length = max(length, over2 + 5)
    points = [(0, base)] + one + [(over, gap)] + two + [(over2, base), (length, base)]
    return points, start, (f"double flash: {first:.0f} at minute {start:.1f}, {second:.0f} at "
                           f"{again:.1f}"), 0.02, length


def spike_down(rng):
    """A spike of 3-8 minutes, then a plateau at 30-45% of it to the end: does the count come
    down to the plateau's need, or stay near the spike's?"""
    length = rng.uniform(40, 50)
    base = rng.uniform(80, 150)
    start = rng.uniform(5, 8)
    spike = rng.uniform(800, WEB_PEAK_MAX)
    top = start + rng.uniform(0.25, 1.0)
    end = top + rng.uniform(3, 8)
    plateau = spike * rng.uniform(0.3, 0.45)
    points = [(0, base), (start, base), (top, spike), (end, spike), (end + rng.uniform(0.25, 1), plateau),
              (length, plateau)]
    return points, start, (f"spike to {spike:.0f} at minute {start:.1f}, then {plateau:.0f} "
                           "requests/s"), 0.02, length


def ramp(rng):
    """A slow ramp from a few pods' worth to 12-20 over 25-35 minutes, then held."""
    length = rng.uniform(35, 45)
    low = rng.uniform(40, 110)
    high = rng.uniform(700, 1100)
    start = rng.uniform(3, 5)
    top = length - rng.uniform(3, 6)
    points = [(0, low), (start, low), (top, high), (length, high)]
    return points, None, f"slow ramp: {low:.0f} to {high:.0f} requests/s", 0.03, length


def plateau(rng):
    """A flat load between two pod counts (N.3-N.7 pods' worth at 70%), then +50% in 15 s:
    the 3 -> 2 -> 3 trap (a scale-down that lands where the scale-up fires) and the step after it."""
    length = rng.uniform(40, 50)
    pods = rng.randint(2, 4) + rng.uniform(0.3, 0.7)
    level = _pods_worth(pods)
    step = rng.uniform(22, 30)
    points = [(0, level), (step, level), (step + 0.25, level * 1.5), (length, level * 1.5)]
    return points, step, (f"plateau: {level:.0f} requests/s ({pods:.1f} pods' worth), +50% at "
                          f"minute {step:.1f}"), 0.015, length


def sawtooth(rng):
    """A sawtooth around N pods at 70%: rising ±12-25% over 3-8 minutes, dropping at once. A
    threshold rule without hysteresis follows every tooth."""
    length = rng.uniform(35, 45)
    center = _pods_worth(rng.randint(3, 6))
    amplitude = rng.uniform(0.12, 0.25)
    period = rng.uniform(3, 8)
    low, high = center * (1 - amplitude), center * (1 + amplitude)
    points, m = [(0, center), (3, low)], 3.0
    while m < length:
        points += [(m + period - STEP_MIN, high), (m + period, low)]
        m += period
    return points, None, (f"sawtooth: {low:.0f}-{high:.0f} requests/s every {period:.1f} "
                          "minutes"), 0.01, length


def queue(rng):
    """Jobs: a base rate, a burst of 60-100/s for 2-6 minutes, and on half the seeds a second,
    smaller burst 8-14 minutes later."""
    length = rng.uniform(30, 40)
    base = rng.uniform(3, 8)
    start = rng.uniform(5, 9)
    height = rng.uniform(60, 100)
    end = start + 0.25 + rng.uniform(2, 6)
    points = [(0, base), (start, base), (start + 0.25, height), (end, height), (end + 0.25, base)]
    title = f"queue burst: {height:.0f} jobs/s at minute {start:.1f} for {end - start:.1f} min"
    again = end + rng.uniform(8, 14)
    if rng.random() < 0.5 and again + 2.5 < length - 3:
        second = height * rng.uniform(0.3, 0.6)
        points += [(again, base), (again + 0.25, second), (again + 2.25, second),
                   (again + 2.5, base)]
        title += f", {second:.0f} at {again:.1f}"
    points.append((length, base))
    return points, start, title, 0.03, length


FAMILIES = {                    # name -> (kind, draw); the report's order
    "diurnal": ("web", diurnal),
    "flash": ("web", flash),
    "double-flash": ("web", double_flash),
    "spike-down": ("web", spike_down),
    "ramp": ("web", ramp),
    "plateau": ("web", plateau),
    "sawtooth": ("web", sawtooth),
    "queue": ("queue", queue),
}


def names():
    return list(FAMILIES)


def draw(family, seed):
    """The Shape of `family` for `seed`: its parameters, then its noise, from one seeded RNG."""
    if family not in FAMILIES:
        raise ValueError(f"unknown trace family {family!r}; known: {', '.join(FAMILIES)}")
    kind, build = FAMILIES[family]
    rng = random.Random(f"{family}/{seed}")
    points, event, title, noise, length = build(rng)
    length = round(length)            # whole minutes: every run of a trace has the same count
    minutes, values = _sample(points, rng, noise, length)
    return Shape(kind, title, minutes, values, event)
