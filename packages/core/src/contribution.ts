import { WAD } from './amount.ts';
import type { Params } from './params.ts';

/**
 * Contribution `C_i` (SPEC §4.4), the capacity a node made available, in compute-unit-seconds:
 * `C = CU × upSeconds × (base + weight × utilisation)` with `utilisation = delivered / (GPUs ×
 * upSeconds)`, multiplied out so that it floors once: `CU × (base·GPUs·upSeconds + weight·delivered)
 * / GPUs`. A node without GPUs (or never up) has only the base term.
 *
 * @example computeContribution(12n * WAD, 1, 3600, 1800, params.compute) // 12 × 3600 × (0.4 + 0.6 × 0.5) WAD
 */
export function computeContribution(
  computeUnits: bigint,
  gpus: number,
  upSeconds: number,
  delivered: number,
  c: Pick<Params['compute'], 'utilisationBase' | 'utilisationWeight'>,
): bigint {
  if (gpus === 0 || upSeconds === 0) return (computeUnits * BigInt(upSeconds) * c.utilisationBase) / WAD;
  const weighted = c.utilisationBase * BigInt(gpus * upSeconds) + c.utilisationWeight * BigInt(delivered);
  return (computeUnits * weighted) / (BigInt(gpus) * WAD);
}

/**
 * The node's utilisation shown on its statement: `delivered / (GPUs × upSeconds)`, 0 without GPUs
 * or up-time.
 */
export function computeUtilisation(gpus: number, upSeconds: number, delivered: number): bigint {
  return gpus > 0 && upSeconds > 0 ? (BigInt(delivered) * WAD) / BigInt(gpus * upSeconds) : 0n;
}
