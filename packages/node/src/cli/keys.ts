import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeys, type KeyPair } from '@swarm/sdk';
import { UsageError } from './io.ts';

/** `swarm keys generate [--out FILE]`: a new Ed25519 key pair, written with mode 0600. */
export function generate(out: string | undefined): void {
  const k = generateKeys();
  const text = `${JSON.stringify(k, null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  if (existsSync(out)) throw new UsageError(`${out} exists; refusing to overwrite a key`);
  writeFileSync(out, text, { mode: 0o600 });
  console.log(`wrote ${out} (public key ${k.publicKey})`);
}

export function readKeys(path: string): KeyPair {
  let k: unknown;
  try {
    k = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read keys from ${path}: ${(e as Error).message}`);
  }
  const kp = k as KeyPair;
  if (!/^[0-9a-f]{64}$/.test(kp?.publicKey ?? '') || !/^[0-9a-f]{64}$/.test(kp?.privateKey ?? ''))
    throw new UsageError(`${path} is not a key file ({publicKey, privateKey} in hex)`);
  return kp;
}
