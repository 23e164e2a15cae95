import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { canonicalJson } from '@swarm/core';

/** An Ed25519 key pair as hex: the 32-byte public key and the 32-byte private seed. */
export type KeyPair = { publicKey: string; privateKey: string };

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HEX64 = /^[0-9a-f]{64}$/;

/** Domain separation: a signature over a Swarm message can never be replayed as anything else. */
export const SIGNING_DOMAIN = 'swarm-rewards/v1\n';

/** The exact bytes that are signed for a message body: the domain, then its canonical JSON. */
export function signingBytes(body: unknown): Buffer {
  return Buffer.from(SIGNING_DOMAIN + canonicalJson(body), 'utf8');
}

/** A new random key pair (the only place randomness enters: at the edge, never in core). */
export function generateKeys(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { publicKey: pub.toString('hex'), privateKey: priv.toString('hex') };
}

/** The key pair of a 32-byte seed (hex): deterministic keys for demos and tests. */
export function keysFromSeed(seedHex: string): KeyPair {
  if (!HEX64.test(seedHex)) throw new TypeError('a seed is 32 bytes of lower-case hex');
  const priv = privateKeyObject(seedHex);
  const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { publicKey: pub.toString('hex'), privateKey: seedHex };
}

// KeyObjects are expensive to build (DER parsing); verifying a node's heartbeats every minute
// reuses its cached key. Bounded so a flood of unknown keys cannot grow memory without limit.
const CACHE_LIMIT = 1 << 20;
const publicCache = new Map<string, KeyObject>();
const privateCache = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, key: string, make: () => KeyObject): KeyObject {
  let k = cache.get(key);
  if (k === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    k = make();
    cache.set(key, k);
  }
  return k;
}

function publicKeyObject(hex: string): KeyObject {
  return cached(publicCache, hex, () => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' }));
}

function privateKeyObject(hex: string): KeyObject {
  return cached(privateCache, hex, () => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'pkcs8' }));
}

/** Signs a message body with an Ed25519 private seed; returns the 64-byte signature as hex. */
export function signBody(body: unknown, privateKeyHex: string): string {
  return nodeSign(null, signingBytes(body), privateKeyObject(privateKeyHex)).toString('hex');
}

/** Verifies an Ed25519 signature over a body. False (never a throw) for malformed keys or signatures. */
export function verifyBody(body: unknown, signatureHex: string, publicKeyHex: string): boolean {
  if (!HEX64.test(publicKeyHex) || !/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  try {
    return nodeVerify(null, signingBytes(body), publicKeyObject(publicKeyHex), Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
