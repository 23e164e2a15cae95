/**
 * Prints the engine's result for every golden vector, with its parameter set, as one JSON object
 * keyed by file name: the input of `golden_reference.py`, which recomputes them independently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DEFAULT_PARAMS_JSON, parseEpochInput, parseParams, patchParams, processEpoch, serializeParams, serializeResult } from '../src/index.ts';

const dir = new URL('../test/golden/', import.meta.url);
const out: Record<string, unknown> = {};
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.json'))
  .sort()) {
  const v = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
  const params = parseParams(patchParams(DEFAULT_PARAMS_JSON, v.params));
  out[f] = { result: serializeResult(processEpoch(parseEpochInput(v.input, params), params)), params: serializeParams(params) };
}
console.log(JSON.stringify(out));
