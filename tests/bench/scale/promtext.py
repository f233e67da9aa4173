"""Reading Prometheus' text exposition for the benchmark: samples, counter deltas between two
scrapes, and quantiles of a histogram's delta (as histogram_quantile() computes them)."""
import math
import re

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class Scrape:
    """The samples of one scrape whose names start with one of `prefixes` (the API server's
    /metrics is megabytes; only a few families are wanted)."""

    def __init__(self, text, prefixes):
        self.samples = []  # (name, {label: value}, value)
        prefixes = tuple(prefixes)
        for line in text.splitlines():
            if not line.startswith(prefixes):
                continue
            m = _SAMPLE.match(line)
            if m:
                labels = dict(_LABEL.findall(m.group(2) or ""))
                self.samples.append((m.group(1), labels, float(m.group(3))))

    def has(self, name):
        return any(n == name for n, _, _ in self.samples)

    def by(self, name, keys, where=None):
        """{tuple of the `keys` labels' values: sum of the samples} for the samples of `name`
        whose labels pass `where` (a predicate on the label dict)."""
        out = {}
        for n, labels, value in self.samples:
            if n == name and (where is None or where(labels)):
                k = tuple(labels.get(key, "") for key in keys)
                out[k] = out.get(k, 0.0) + value
        return out

    def total(self, name, where=None):
        return sum(self.by(name, (), where).values())


def delta(before, after, name, keys, where=None):
    """Counter increase per label combination between two scrapes (series new in `after` count
    from 0); combinations that did not move are left out."""
    a, b = before.by(name, keys, where), after.by(name, keys, where)
    out = {k: v - a.get(k, 0.0) for k, v in b.items()}
    return {k: v for k, v in out.items() if v}


def histogram_delta(before, after, name):
    """[(upper bound, cumulative count)] of the observations made between two scrapes."""
    d = {}
    for (le,), v in after.by(name + "_bucket", ("le",)).items():
        d[float(le)] = v - before.by(name + "_bucket", ("le",)).get((le,), 0.0)
    return sorted(d.items())


def quantile(buckets, q):
    """The q-quantile of cumulative buckets, interpolated linearly within its bucket (as
    Prometheus' histogram_quantile). In the +Inf bucket: the highest finite bound, which then is
    only a lower bound (see histogram_max)."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            fraction = (rank - lower_count) / (count - lower_count)
            return lower_bound + (bound - lower_bound) * fraction
        lower_bound, lower_count = bound, count
    return lower_bound


def histogram_max(buckets):
    """(upper bound of the highest bucket with observations, whether that bucket is +Inf). The
    maximum lies at or below the bound; past the last finite bound it is only known to be above."""
    highest, previous = None, 0.0
    for bound, count in buckets:
        if count > previous:
            highest = bound
        previous = count
    if highest is None or not math.isinf(highest):
        return highest, False
    finite = [b for b, _ in buckets if not math.isinf(b)]
    return (finite[-1] if finite else 0.0), True
