/**
 * Writes the generated artefacts checked into the repository: the JSON Schemas of the epoch input
 * and the parameter set (from the same descriptions the parsers use) and the example epoch.
 * Run with `npm run generate`; a test fails when a checked-in file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultParams, epochInputJsonSchema, paramsJsonSchema, serializeEpochInput, syntheticEpoch } from '../src/index.ts';

export const EXAMPLE_SEED = 20261121;
export const EXAMPLE_NODES = 60;

export function generatedFiles(): Record<string, string> {
  defaultParams(); // the defaults must validate
  const example = syntheticEpoch({ seed: EXAMPLE_SEED, nodes: EXAMPLE_NODES, validators: 5, stakes: 12 });
  return {
    'packages/core/epoch-input.schema.json': `${JSON.stringify(epochInputJsonSchema(), null, 2)}\n`,
    'packages/core/params.schema.json': `${JSON.stringify(paramsJsonSchema(), null, 2)}\n`,
    'examples/epoch.json': `${JSON.stringify(serializeEpochInput(example), null, 2)}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  for (const [path, text] of Object.entries(generatedFiles())) {
    writeFileSync(root + path, text);
    console.log(`wrote ${path}`);
  }
}
