// Verifies Ed25519 signatures off the main thread (plain JS: workers do not load TypeScript).
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();

function keyOf(hex) {
  let k = keys.get(hex);
  if (k === undefined) {
    if (keys.size > 1 << 20) keys.clear();
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
    keys.set(hex, k);
  }
  return k;
}

parentPort.on('message', ({ id, data, sigs, pubs }) => {
  const ok = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    try {
      ok[i] = verify(null, Buffer.from(data[i], 'utf8'), keyOf(pubs[i]), Buffer.from(sigs[i], 'hex')) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
  }
  parentPort.postMessage({ id, ok }, [ok.buffer]);
});
