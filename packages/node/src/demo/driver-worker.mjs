// The demo's driver (driver.ts) on a worker thread: the simulated network's heartbeats, receipts,
// audits and votes leave on time whatever the service's own thread is doing (a close, audits).
// The packages ship TypeScript: tsx compiles them here as in bin/swarm.js.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { driveDemo } = await import('./driver.ts');
const commands = { closed: 0, stopping: false };
parentPort.on('message', (m) => {
  if (m.type === 'closed') commands.closed = m.count;
  else if (m.type === 'stop') commands.stopping = true;
});
try {
  await driveDemo(workerData, (m) => parentPort.postMessage(m), commands);
} catch (e) {
  parentPort.postMessage({ type: 'say', line: `the demo's driver stopped: ${e instanceof Error ? e.message : String(e)}` });
  throw e;
}
process.exit(0);
