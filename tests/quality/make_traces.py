#!/usr/bin/env python3
"""Writes the trace files of traces/ (run once; the files are the data, kept in git).

Loads are in requests/s (web) or jobs/s (queue); one pod serves 80 requests/s at 100% CPU
(service.py), so 56 requests/s is one pod at the HPA's 70% target. Noise is seeded: the files are
the same on every run of this script.
"""
import math
import os
import random

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "traces")


def write(name, meta, rows):
    with open(os.path.join(HERE, name + ".csv"), "w") as f:
        for k, v in meta.items():
            f.write(f"# {k}: {v}\n")
        f.write("minute,value\n")
        for m, v in rows:
            f.write(f"{m:g},{v:.1f}\n")


def diurnal():
    """A day's shape in 75 minutes: night, morning rise, lunch peak, afternoon, evening peak,
    night again (about 19 simulated minutes per 6 hours)."""
    shape = [(0, 90), (8, 90), (18, 480), (26, 650), (32, 520), (44, 600), (54, 880), (62, 500),
             (70, 120), (75, 90)]
    rng = random.Random(1)
    rows = []
    for i in range(0, 75 * 4 + 1):   # every 15 s
        m = i / 4
        j = max(k for k, (mm, _) in enumerate(shape) if mm <= m)
        (m0, v0), (m1, v1) = shape[j], shape[min(j + 1, len(shape) - 1)]
        v = v0 if m1 == m0 else v0 + (v1 - v0) * (m - m0) / (m1 - m0)
        rows.append((m, v * (1 + rng.gauss(0, 0.03))))
    return rows


def flash():
    """100 requests/s, then 10x within one minute at minute 8, for 12 minutes, then back."""
    return [(0, 100), (8, 100), (9, 1000), (21, 1000), (24, 150), (36, 150)]


def ramp():
    """60 requests/s to 1,000 over 50 minutes: through the Small/Medium (300) and Medium/Large
    (800) boundaries of the policy's roadmap."""
    return [(0, 60), (5, 60), (55, 1000), (60, 1000)]


def plateau():
    """A plateau near the threshold: 300 requests/s (5.4 pods at 70%) +- 12% every 30 s."""
    rng = random.Random(2)
    return [(i / 2, 300 * (1 + rng.uniform(-0.12, 0.12))) for i in range(0, 45 * 2 + 1)]


def queue_burst():
    """Jobs: 6/s, a burst of 100/s for 4 minutes at minute 6, then 6/s."""
    return [(0, 6), (6, 6), (6.25, 100), (10, 100), (10.25, 6), (40, 6)]


def main():
    os.makedirs(HERE, exist_ok=True)
    write("diurnal", {"kind": "web", "title": "a diurnal day (75 min)"}, diurnal())
    write("flash", {"kind": "web", "title": "flash crowd: 10x in one minute", "event": 8}, flash())
    write("ramp", {"kind": "web", "title": "slow ramp across two phase boundaries"}, ramp())
    write("plateau", {"kind": "web", "title": "noisy plateau near the threshold"}, plateau())
    write("queue", {"kind": "queue", "title": "queue burst", "event": 6}, queue_burst())


if __name__ == "__main__":
    main()
