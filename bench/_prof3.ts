import { defaultParams, processEpoch, syntheticEpoch } from '../packages/core/src/index.ts';

const params = defaultParams();
const N = Number(process.argv[2] ?? 300000);
const inp = syntheticEpoch({ seed: 2, nodes: N });
console.log('heap after input MB', (process.memoryUsage().heapUsed / 1e6).toFixed(0));
for (let k = 0; k < 2; k++) {
  const t = performance.now();
  const r = processEpoch(inp, params, { checked: true });
  console.log(N, (performance.now() - t).toFixed(0), 'ms', 'heap MB', (process.memoryUsage().heapUsed / 1e6).toFixed(0), r.payouts.length);
}
