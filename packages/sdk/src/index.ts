/**
 * @swarm/sdk — the wire of Swarm Rewards: what a node agent, a consumer or a staker imports.
 * Message schemas, canonical encoding, Ed25519 signing, and a typed HTTP client.
 */
export { canonicalJson, contentHash, formatAmount, formatWad, parseAmount, parseWad } from '@swarm/core';
export * from './client.ts';
export * from './keys.ts';
export * from './messages.ts';
export * from './sign.ts';
export * from './text.ts';
export * from './validator.ts';
