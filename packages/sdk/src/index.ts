/**
 * @swarm/sdk — the wire of Swarm Rewards: what a node agent or a consumer imports.
 *
 * For now it carries the canonical encoding and the shared wire codecs; the message schemas,
 * Ed25519 signing and the typed HTTP client arrive with the service (see the package README).
 */
export { canonicalJson, contentHash, formatAmount, formatWad, parseAmount, parseWad } from '@swarm/core';
