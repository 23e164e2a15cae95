import { WAD } from './amount.ts';

/**
 * Contribution `C_i` (SPEC §4.4), the capacity a node made available, in compute-unit-seconds:
 * "`C_i = CU_i × upSeconds_i` … Use is rewarded by the usage pool, never by the capacity score, so
 * paying oneself for fake jobs cannot raise it". `computeUnits` is a WAD; so is the result.
 *
 * @example computeContribution(12n * WAD, 3600) // 43,200 WAD
 */
export function computeContribution(computeUnits: bigint, upSeconds: number): bigint {
  return computeUnits * BigInt(upSeconds);
}

/**
 * The node's utilisation shown on its statement: `delivered / (GPUs × upSeconds)`, 0 without GPUs
 * or up-time. Informational: it moves no reward of the node's own.
 */
export function computeUtilisation(gpus: number, upSeconds: number, delivered: number): bigint {
  return gpus > 0 && upSeconds > 0 ? (BigInt(delivered) * WAD) / BigInt(gpus * upSeconds) : 0n;
}
