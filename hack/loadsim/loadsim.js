// The load simulator of the demo and the e2e test: it plays the users of the storefront and the
// operators Gearbox sizes but that do not run here.
//
//   node hack/loadsim/loadsim.js --namespace shop --port 19100 --scenario 30:500,60:5000,...
//
// Each scenario step is SECONDS:USERS. From the number of users and the replica counts Gearbox
// sets, every tick (1 s) it
//   - serves /metrics for Prometheus (prom-client): storefront_active_users, the request-latency
//     histogram http_request_duration_seconds (its p95 rises with the load per app pod),
//     http_requests_total by code, database CPU and Redis memory gauges;
//   - sets each app pod's CPU usage through the KWOK annotation kwok.x-k8s.io/usage-cpu, so that
//     metrics-server reports usage / requests as the load per pod;
//   - adds jobs to a real Bull queue (email) at a rate that follows the users, and works them off
//     at a rate that follows the worker Deployment's replicas;
//   - acts as the CloudNativePG and Redis operators: a Cluster's or RedisCluster's new size
//     becomes ready a few seconds after Gearbox asks for it (status.readyInstances,
//     status.readyLeaderReplicas).
// It prints one line per step change and every 10 s. Environment: REDIS_URL, KUBECONFIG.
'use strict';
const http = require('http');
const { execFile } = require('child_process');
const client = require('prom-client');
const Queue = require('bull');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const ns = args.namespace || 'shop';
const port = Number(args.port || 19100);
const scenario = (args.scenario || '60:500').split(',').map((s) => {
  const [secs, users] = s.split(':').map(Number);
  return { secs, users };
});
const readyDelayMs = Number(args['ready-delay'] || 3000);
const quiet = args.quiet === 'true';

// ---- the model ----
const USERS_PER_POD = 6000;       // one app pod at 100% of its CPU request
const CPU_REQUEST_M = 500;        // the app pods' request (workloads.yaml)
const JOBS_PER_USER_PER_S = 0.001;
const JOBS_PER_WORKER_PER_S = 8;

const registry = new client.Registry();
const users = new client.Gauge({ name: 'storefront_active_users', help: 'Users online.', registers: [registry] });
const latency = new client.Histogram({
  name: 'http_request_duration_seconds', help: 'Request latency.', labelNames: ['service'],
  buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5], registers: [registry],
});
const requests = new client.Counter({
  name: 'http_requests_total', help: 'Requests by code.', labelNames: ['service', 'code'], registers: [registry],
});
const dbCpu = new client.Gauge({ name: 'storefront_database_cpu_percent', help: 'Database CPU.', registers: [registry] });
const redisMem = new client.Gauge({ name: 'storefront_redis_memory_percent', help: 'Redis memory.', registers: [registry] });

http.createServer(async (req, res) => {
  if (req.url !== '/metrics') { res.writeHead(404); res.end(); return; }
  res.setHeader('Content-Type', registry.contentType);
  res.end(await registry.metrics());
}).listen(port, '127.0.0.1');

function kubectl(...argv) {
  return new Promise((resolve) => {
    execFile('kubectl', argv, { timeout: 10000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

async function replicasOf(kind, name) {
  const out = await kubectl('-n', ns, 'get', kind, name, '-o', 'jsonpath={.spec.replicas}');
  return out ? Number(out) || 0 : 0;
}

// ---- the queue: produced by the users, worked off by the workers ----
const queue = new Queue('email', process.env.REDIS_URL || 'redis://127.0.0.1:6379');
let workers = 1;
let tokens = 0;
const waiters = [];
setInterval(() => {  // a token per job the workers can do, every 100 ms
  tokens = Math.min(tokens + (workers * JOBS_PER_WORKER_PER_S) / 10, workers * JOBS_PER_WORKER_PER_S);
  while (tokens >= 1 && waiters.length) { tokens -= 1; waiters.shift()(); }
}, 100);
queue.process(64, () => new Promise((resolve) => waiters.push(resolve)));
let owed = 0;

// ---- the fake topology operators ----
const seen = {};  // kind/name -> {size, since}
async function operate(kind, name, specPath, statusPatch) {
  const out = await kubectl('-n', ns, 'get', kind, name, '-o', `jsonpath={${specPath}} {.status}`);
  if (out === null) return;
  const size = Number(out.split(' ')[0]);
  const key = `${kind}/${name}`;
  if (!seen[key] || seen[key].size !== size) seen[key] = { size, since: Date.now(), done: false };
  if (!seen[key].done && Date.now() - seen[key].since >= readyDelayMs) {
    const ok = await kubectl('-n', ns, 'patch', kind, name, '--subresource=status', '--type=merge',
      '-p', JSON.stringify({ status: statusPatch(size) }));
    if (ok !== null) {
      seen[key].done = true;
      console.log(`[loadsim] ${kind} ${name} ready at ${size}`);
    }
  }
}

// ---- the clock ----
const start = Date.now();
let lastStep = -1;
let lastPrint = 0;
function currentStep() {
  let t = (Date.now() - start) / 1000;
  for (let i = 0; i < scenario.length; i++) {
    if (t < scenario[i].secs) return i;
    t -= scenario[i].secs;
  }
  return scenario.length - 1;
}

async function tick() {
  const step = currentStep();
  const u = scenario[step].users;
  users.set(u);
  const app = Math.max(await replicasOf('deployment', 'storefront-app'), 1);
  workers = Math.max(await replicasOf('deployment', 'storefront-worker'), 1);

  // CPU: the load per pod, at most 150% of the request.
  const utilization = Math.min(u / (app * USERS_PER_POD), 1.5);
  const perPodM = Math.max(10, Math.round(utilization * CPU_REQUEST_M));
  const pods = await kubectl('-n', ns, 'get', 'pods', '-l', 'app=storefront-app', '-o', 'name');
  if (pods) {
    const names = pods.split('\n').filter(Boolean);
    if (names.length) {
      await kubectl('-n', ns, 'annotate', '--overwrite', ...names, `kwok.x-k8s.io/usage-cpu=${perPodM}m`);
    }
  }
  // Latency: exponential around a mean that grows with the load; p95 = 3 x mean.
  const p95 = 0.06 + 0.55 * Math.pow(utilization, 3);
  for (let i = 0; i < 200; i++) latency.observe({ service: 'storefront' }, -Math.log(1 - Math.random()) * (p95 / 3));
  const errorShare = utilization >= 1.4 ? 0.08 : 0.005;
  requests.inc({ service: 'storefront', code: '200' }, Math.round(200 * (1 - errorShare)));
  requests.inc({ service: 'storefront', code: '503' }, Math.round(200 * errorShare));
  dbCpu.set(Math.min(97, 20 + 75 * (u / 300000)));
  redisMem.set(35 + 20 * (u / 300000));

  // Jobs: users produce, workers consume (see queue.process above).
  owed += u * JOBS_PER_USER_PER_S;
  const n = Math.floor(owed);
  owed -= n;
  if (n > 0) await queue.addBulk(Array.from({ length: n }, (_, i) => ({ data: { to: `user${i}@example.invalid` } })));

  await operate('clusters.postgresql.cnpg.io', 'storefront-db', '.spec.instances',
    (size) => ({ instances: size, readyInstances: size, phase: 'Cluster in healthy state' }));
  await operate('redisclusters.redis.redis.opstreelabs.in', 'storefront-cache', '.spec.clusterSize',
    (size) => ({ state: 'Ready', readyLeaderReplicas: size, readyFollowerReplicas: size }));

  const now = Date.now();
  if (!quiet && (step !== lastStep || now - lastPrint >= 10000)) {
    const waiting = await queue.getWaitingCount();
    console.log(`[loadsim] t=${Math.round((now - start) / 1000)}s users=${u} app=${app} cpu/pod=${perPodM}m ` +
      `(${Math.round(utilization * 100)}%) p95~${p95.toFixed(2)}s workers=${workers} waiting=${waiting}`);
    lastStep = step;
    lastPrint = now;
  }
}

(async function loop() {
  for (;;) {
    const t0 = Date.now();
    try { await tick(); } catch (e) { console.error('[loadsim]', e.message); }
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
  }
})();

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await queue.close().catch(() => {}); process.exit(0); });
