// A service that starts a worker thread per job and never ends them: each worker has a heap
// of its own, which no snapshot of the main thread shows. node --expose-gc workers.js DIR
const { Worker } = require('worker_threads');
const { snapshot } = require('./snap');
const workers = [];
const job = `
  const rows = [];
  for (let i = 0; i < 200000; i++) rows.push({ i, name: 'row' + i });
  setInterval(() => rows.length, 1000);
`;
(async () => {
  for (let step = 1; step <= 3; step++) {
    const started = [];
    for (let i = 0; i < 3; i++) {
      const worker = new Worker(job, { eval: true });
      started.push(new Promise((ready) => worker.once('online', ready)));
      workers.push(worker);
    }
    await Promise.all(started);
    await new Promise((r) => setTimeout(r, 1000));
    await snapshot(process.argv[2], step);
  }
  process.exit(0);
})();
