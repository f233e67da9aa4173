// Enqueues jobs with the real bull or bullmq package, as an application would.
//   node enqueue.js FLAVOR QUEUE WAITING [OLDEST_AGE_SECONDS] [DELAYED]
// WAITING jobs wait; the first of them was created OLDEST_AGE_SECONDS ago (the libraries'
// `timestamp` option); DELAYED more jobs are delayed by an hour (they do not wait yet).
// REDIS_URL says where (redis://127.0.0.1:PORT/DB, password in the URL if any).
const [flavor, name, waiting, oldestAge = '0', delayed = '0'] = process.argv.slice(2);
const url = process.env.REDIS_URL;

async function main() {
  const now = Date.now();
  const first = now - Number(oldestAge) * 1000;
  if (flavor === 'bull') {
    const Queue = require('bull');
    const queue = new Queue(name, url);
    for (let i = 0; i < Number(waiting); i++) {
      await queue.add({ i }, { timestamp: i === 0 ? first : now });
    }
    for (let i = 0; i < Number(delayed); i++) await queue.add({ delayed: i }, { delay: 3600000 });
    await queue.close();
  } else if (flavor === 'bullmq') {
    const { Queue } = require('bullmq');
    const u = new URL(url);
    const connection = {
      host: u.hostname, port: Number(u.port), password: u.password || undefined,
      db: Number(u.pathname.slice(1) || 0),
    };
    const queue = new Queue(name, { connection });
    for (let i = 0; i < Number(waiting); i++) {
      await queue.add('job', { i }, { timestamp: i === 0 ? first : now });
    }
    for (let i = 0; i < Number(delayed); i++) await queue.add('later', { i }, { delay: 3600000 });
    await queue.close();
  } else {
    throw new Error('flavor must be bull or bullmq');
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
