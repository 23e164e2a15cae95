// Computes a proposal's simulated impact (@swarm/sim) on a worker thread, so that the demo's network
// and service — which share the main thread — keep their slots while the simulator runs for seconds.
// The packages ship TypeScript: tsx compiles them here as in bin/swarm.js.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { computeImpact } = await import('@swarm/sim');
parentPort.postMessage(computeImpact(workerData));
