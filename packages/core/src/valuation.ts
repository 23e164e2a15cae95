import { clamp, WAD } from './amount.ts';
import type { OwnerClassUsage } from './epoch-input.ts';
import type { Params } from './params.ts';

/**
 * Valuation `V_i` (SPEC §4.4): scarcity × geography.
 */

/** Delivered and provisioned GPU-seconds of a hardware class, or of the whole network. */
export type Usage = { delivered: bigint; provisioned: bigint };

/**
 * A node's share of its class's usage for scarcity: "provisioned = counted GPUs × the epoch's
 * expected seconds, so that a node's own uptime never lowers its class's factor; delivered …
 * capped at provisioned" (SPEC §4.4).
 *
 * @example scarcityUsage(8, 1440, 60, 500_000) // { delivered: 500000, provisioned: 691200 }
 */
export function scarcityUsage(countedGpus: number, expectedSlots: number, slotSeconds: number, delivered: number): { delivered: number; provisioned: number } {
  const provisioned = countedGpus * expectedSlots * slotSeconds;
  return { delivered: Math.min(delivered, provisioned), provisioned };
}

/**
 * Scarcity (SPEC §4.4): "`V_class = clamp(util_class / util_network, 0.7, 1.5)` (in-demand hardware
 * earns more) … and `V_class = 1` when the network delivered nothing", `util` being delivered ÷
 * provisioned. Multiplied out, floored once; `clipped` when the clamp bound.
 *
 * @example computeScarcity({ delivered: 90n, provisioned: 100n }, { delivered: 50n, provisioned: 100n }, params.compute) // { factor: 1.5 WAD, clipped: true }
 */
export function computeScarcity(cls: Usage, network: Usage, c: Pick<Params['compute'], 'valuationMin' | 'valuationMax'>): { factor: bigint; clipped: boolean } {
  if (network.delivered === 0n || cls.provisioned === 0n) return { factor: WAD, clipped: false };
  const raw = (cls.delivered * network.provisioned * WAD) / (cls.provisioned * network.delivered);
  const factor = clamp(raw, c.valuationMin, c.valuationMax);
  return { factor, clipped: factor !== raw };
}

/**
 * Geography (SPEC §4.4): "`geo_region` 1.0 by default, up to 1.3 for regions governance marks
 * under-served".
 */
export function geoFactor(region: string, c: Pick<Params['compute'], 'underServedRegions'>): bigint {
  return Object.hasOwn(c.underServedRegions, region) ? (c.underServedRegions[region] as bigint) : WAD;
}

/** `V = scarcity × geo`, floored once. */
export function computeValuation(scarcity: bigint, geo: bigint): bigint {
  return (scarcity * geo) / WAD;
}

/**
 * The scarcity window's history (SPEC §4.4) from several epochs' usage: one entry per owner and
 * hardware class, summed, in (owner, class) order — what the epoch input's `scarcityHistory` holds.
 *
 * @example mergeOwnerClassUsage([[{ owner: a, hardwareClass: 'H100', delivered: 1, provisioned: 2 }], [{ owner: a, hardwareClass: 'H100', delivered: 3, provisioned: 4 }]]) // [{ …, delivered: 4, provisioned: 6 }]
 */
export function mergeOwnerClassUsage(epochs: readonly (readonly OwnerClassUsage[])[]): OwnerClassUsage[] {
  const sum = new Map<string, OwnerClassUsage>();
  for (const list of epochs)
    for (const u of list) {
      const key = `${u.owner}/${u.hardwareClass}`;
      const x = sum.get(key);
      if (x) {
        x.delivered += u.delivered;
        x.provisioned += u.provisioned;
      } else sum.set(key, { ...u });
    }
  return [...sum.values()].sort((a, b) =>
    a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.hardwareClass < b.hardwareClass ? -1 : a.hardwareClass > b.hardwareClass ? 1 : 0,
  );
}
