"""The simulated service of the quality harness: what load does to latency, CPU and a job queue.

Pure model, no I/O: the harness feeds it the load of the trace and the ready pods it finds in the
cluster, and reads back what each pod's CPU is (KWOK usage, which metrics-server reports to both
autoscalers), the latency distribution of the requests served (a histogram Prometheus scrapes, and
the SLO's ground truth), and the queue's length and oldest job.

Web pods: each ready pod runs SERVERS_PER_POD request workers with exponential service times
(mean SERVICE_S), so a copy with n ready pods is an M/M/c queue with c = n x SERVERS_PER_POD. While
the offered load stays below the capacity, a request waits with the Erlang C probability an
exponential time (rate c*mu - lambda); above it, the excess piles up in a backlog (fluid) that
every request waits behind, drained when capacity returns. A request waits at most TIMEOUT_S (the
rest of the backlog is dropped: clients time out). A pod's CPU is its servers' busy fraction, at
most 100% of its request. All times are simulated seconds.

Speed: a copy of the service may run slower or faster than the nominal one (`speed` multiplies the
mean service time of a request and of a job: x1.2 is 20% slower, so a pod carries 1/1.2 of the
requests at the same CPU). The autoscalers are not told: a fair test must not let a policy carry
the model's constants in its numbers. The module's constants are those of speed 1.0.
"""
import math
from dataclasses import dataclass, field

SERVERS_PER_POD = 4
SERVICE_S = 0.05                       # mean service time of one request
POD_CAPACITY_RPS = SERVERS_PER_POD / SERVICE_S   # 80 requests/s at 100% CPU
TIMEOUT_S = 10.0
CPU_REQUEST_M = 100                    # the pods' CPU request (millicores; 1m = 1%)
STARTING_CPU_M = 10                    # a pod that is not ready yet


def service_time_s(speed=1.0):
    """The mean service time of one request at a service speed (x1.2: 20% longer)."""
    return SERVICE_S * speed


def pod_capacity_rps(speed=1.0):
    """Requests/s one ready pod serves at 100% CPU at a service speed."""
    return SERVERS_PER_POD / service_time_s(speed)


def erlang_c(servers, offered):
    """The probability that a request waits in an M/M/c queue (offered load a = lambda/mu < c)."""
    if offered <= 0:
        return 0.0
    # Erlang B by its recurrence (stable for large c), then C from B.
    b = 1.0
    for k in range(1, servers + 1):
        b = offered * b / (k + offered * b)
    rho = offered / servers
    return b / (1 - rho + rho * b)


@dataclass
class LatencyShape:
    """A tick's response time R = delay + S + W: S ~ Exp(mu), W = 0 or (prob. wait) ~ Exp(theta)."""
    delay: float        # waiting behind the backlog
    wait_prob: float
    theta: float        # rate of the Erlang wait (when wait_prob > 0)
    mu: float = 1 / SERVICE_S

    def survival(self, x):
        """P(R > x)."""
        t = x - self.delay
        if t <= 0:
            return 1.0
        served = math.exp(-self.mu * t)
        if self.wait_prob <= 0:
            return served
        if abs(self.theta - self.mu) < 1e-9:
            both = (1 + self.mu * t) * math.exp(-self.mu * t)
        else:
            both = (self.theta * math.exp(-self.mu * t) - self.mu * math.exp(-self.theta * t)) / (
                self.theta - self.mu)
        return (1 - self.wait_prob) * served + self.wait_prob * both


def quantile(shapes_and_weights, q):
    """The q-quantile of a mixture of tick distributions weighted by their requests (bisection)."""
    total = sum(w for _, w in shapes_and_weights)
    if total <= 0:
        return 0.0
    lo, hi = 0.0, TIMEOUT_S + 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        tail = sum(w * s.survival(mid) for s, w in shapes_and_weights) / total
        lo, hi = (mid, hi) if tail > 1 - q else (lo, mid)
    return hi


@dataclass
class WebService:
    """One copy of the web app: its backlog carries over from tick to tick."""
    speed: float = 1.0          # multiplies the mean service time (undisclosed to autoscalers)
    backlog: float = 0.0        # requests waiting beyond what the servers hold
    dropped: float = 0.0        # requests that timed out

    def tick(self, load_rps, ready_pods, dt):
        """Serve dt seconds of load with the ready pods; returns (LatencyShape, busy fraction):
        the busy fraction is every ready pod's CPU share (the pods share the load evenly)."""
        service_s = service_time_s(self.speed)
        mu = 1 / service_s
        capacity = ready_pods * pod_capacity_rps(self.speed)
        if capacity <= 0:
            self.dropped += load_rps * dt    # nobody serves: every request times out
            return LatencyShape(TIMEOUT_S, 0.0, 1.0, mu), 1.0
        self.backlog = max(0.0, self.backlog + (load_rps - capacity) * dt)
        if self.backlog > TIMEOUT_S * capacity:
            self.dropped += self.backlog - TIMEOUT_S * capacity
            self.backlog = TIMEOUT_S * capacity
        delay = self.backlog / capacity
        servers = ready_pods * SERVERS_PER_POD
        offered = load_rps * service_s
        if self.backlog > 0 or offered >= servers:
            # Saturated: every server busy, every request queues behind the backlog.
            return LatencyShape(delay, 1.0, mu, mu), 1.0
        theta = servers * mu - load_rps
        return LatencyShape(delay, erlang_c(servers, offered), theta, mu), offered / servers


def pod_cpu_millicores(busy_fraction, ready):
    """The CPU usage a pod reports: its servers' busy share of its request, or a starting pod's."""
    if not ready:
        return STARTING_CPU_M
    return max(STARTING_CPU_M, round(min(busy_fraction, 1.0) * CPU_REQUEST_M))


JOBS_PER_WORKER_S = 5.0                # jobs one ready worker finishes per second (speed 1.0)


def worker_jobs_per_s(speed=1.0):
    """Jobs/s one ready worker finishes at a service speed (x1.2: a job takes 20% longer)."""
    return JOBS_PER_WORKER_S / speed


@dataclass
class JobQueue:
    """A FIFO job queue (fluid): jobs arrive, ready workers take them at JOBS_PER_WORKER_S each.

    The arrivals are kept as (time, cumulative count) so that the oldest waiting job's age is
    exact for a FIFO queue: it arrived when the cumulative arrivals passed the departures.
    """
    speed: float = 1.0         # multiplies a job's mean duration (undisclosed to autoscalers)
    arrived: float = 0.0
    departed: float = 0.0
    history: list = field(default_factory=list)   # [(t, arrived by t)]

    def tick(self, now, jobs_per_s, ready_workers, dt):
        """Advance dt to now; returns (waiting jobs, the workers' busy fraction)."""
        self.arrived += jobs_per_s * dt
        self.history.append((now, self.arrived))
        capacity = ready_workers * worker_jobs_per_s(self.speed) * dt
        waiting_before = self.arrived - self.departed
        done = min(waiting_before, capacity)
        self.departed += done
        busy = 1.0 if capacity <= 0 else min(1.0, done / capacity)
        self._forget_served()
        return self.waiting(), busy

    def copy(self):
        """An independent copy (the oracle tries a worker count without disturbing the queue)."""
        return JobQueue(self.speed, self.arrived, self.departed, list(self.history))

    def waiting(self):
        return max(0.0, self.arrived - self.departed)

    def oldest_wait(self, now):
        """Seconds the oldest waiting job has waited (0 when none waits)."""
        if self.waiting() < 1:
            return 0.0
        for t, cumulative in self.history:
            if cumulative > self.departed:
                return now - t
        return 0.0

    def _forget_served(self):
        while len(self.history) > 1 and self.history[1][1] <= self.departed:
            self.history.pop(0)
