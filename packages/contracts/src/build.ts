/**
 * Compiles the contracts with solc-js (the compiler ships in the npm package) and writes their ABI
 * and bytecode to `artifacts/` for the service and the tests. `npm run build:contracts`; a test
 * fails when the committed artifacts differ from a fresh compile.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc') as {
  compile: (input: string, opts?: { import: (p: string) => { contents?: string; error?: string } }) => string;
  version: () => string;
};
const root = fileURLToPath(new URL('../', import.meta.url));

export type Artifact = { contractName: string; compiler: string; abi: unknown[]; bytecode: `0x${string}` };

export function compile(): Record<string, Artifact> {
  const files = ['RewardDistributor.sol', 'StakingVault.sol', 'test/TestToken.sol'];
  const sources = Object.fromEntries(files.map((f) => [`contracts/${f}`, { content: readFileSync(`${root}contracts/${f}`, 'utf8') }]));
  const input = {
    language: 'Solidity',
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const findImport = (p: string) => {
    try {
      return { contents: readFileSync(require.resolve(p), 'utf8') };
    } catch {
      return { error: `not found: ${p}` };
    }
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const artifacts: Record<string, Artifact> = {};
  for (const f of files) {
    for (const [name, c] of Object.entries(out.contracts[`contracts/${f}`] ?? {})) {
      artifacts[name] = { contractName: name, compiler: solc.version(), abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return artifacts;
}

export function artifactText(a: Artifact): string {
  return `${JSON.stringify(a, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(`${root}artifacts`, { recursive: true });
  for (const a of Object.values(compile())) {
    writeFileSync(`${root}artifacts/${a.contractName}.json`, artifactText(a));
    console.log(`wrote artifacts/${a.contractName}.json`);
  }
  void readdirSync;
}
