import { WAD } from './amount.ts';
import type { Params } from './params.ts';
import type { ReasonCode } from './reasons.ts';

const W4 = WAD * WAD * WAD * WAD;

export type ScoreParameters = { contribution: bigint; quality: bigint; valuation: bigint; commitment: bigint; bonus: bigint; probationStage: number };
export type ScoreReturnType = { rawScore: bigint; probationShare: bigint; score: bigint; reasons: ReasonCode[] };

/**
 * The score (SPEC §4.4): "`S_i = C_i × Q_i × V_i × L_i × (1 + B_i)`, capped at `3 × C_i`", floored
 * once; "nodes on probation get 25 % → 50 % → 100 % of `S_i` over three clean epochs" (§6.3): the
 * k-th epoch of probation keeps `probation[k − 1]` of it (the last share beyond). Eligibility is
 * applied by the caller.
 *
 * @example computeScore({ contribution: 100n * WAD, quality: WAD, valuation: WAD, commitment: WAD, bonus: 0n, probationStage: 1 }, params.compute)
 *   // { rawScore: 100 WAD, probationShare: 0.25 WAD, score: 25 WAD, reasons: ['PROBATION'] }
 */
export function computeScore(x: ScoreParameters, c: Pick<Params['compute'], 'scoreCap' | 'probation'>): ScoreReturnType {
  const reasons: ReasonCode[] = [];
  const rawScore = (x.contribution * x.quality * x.valuation * x.commitment * (WAD + x.bonus)) / W4;
  let score = rawScore;
  const cap = (c.scoreCap * x.contribution) / WAD;
  if (score > cap) {
    score = cap;
    reasons.push('SCORE_CAPPED');
  }
  let probationShare = WAD;
  if (x.probationStage > 0) {
    probationShare = c.probation[Math.min(x.probationStage, c.probation.length) - 1] as bigint;
    if (probationShare < WAD) reasons.push('PROBATION');
    score = (score * probationShare) / WAD;
  }
  return { rawScore, probationShare, score, reasons };
}
