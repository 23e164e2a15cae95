/**
 * Reason codes (SPEC §4.6): every zero, cap, clip or flag in a result carries one, with the words
 * a provider reads on its statement. Codes are stable identifiers; the words may improve.
 */
export const REASONS = {
  // a node earns nothing from the compute pool
  SUSPENDED: 'The node is suspended after repeated violations and earns nothing until the suspension ends.',
  JAILED: 'The node is jailed after a failed verification and earns nothing until released.',
  EXCLUDED: 'The node is permanently excluded from rewards.',
  NOT_ONBOARDED: 'The node has not passed every onboarding gate (hardware, link, NVMe, TPM) confirmed by a validator.',
  NOT_BONDED: 'The node has no bond; a bond is required to earn.',
  BOND_BELOW_MINIMUM: 'The bond is below the minimum for this hardware (7 days of expected revenue).',
  NO_CAPACITY: 'The node declares no hardware that earns compute units.',
  CLASS_NOT_BACKED:
    "What the validator measured does not back the node's declared classes: its provider class needs more GPUs or RAM, or its SLA class a faster link (a mission-critical node needs its 100 Gbps).",
  NO_UPTIME: 'The node was never up during the time it was expected this epoch.',
  BELOW_UPTIME_FLOOR: 'Uptime was more than 5 points below the SLA target: no reward this epoch.',
  // factors reduced, clipped or capped
  UPTIME_BELOW_TARGET: 'Uptime was below the SLA class target, lowering the uptime factor U.',
  ERROR_RATE_ABOVE_TOLERANCE: 'The job error rate reached 5× its target, so the error factor E is 0 for that priority.',
  SLOW_RESPONSES: 'The p95 response time was above the target, lowering the response factor R.',
  RATING_CLIPPED: 'The rating factor P was clipped to its range [0, 1].',
  JOBS_REFUSED:
    'Consumers signed that the node refused or dropped jobs they offered: each counts as a failed job rated 1 (lowering E and P), and refusing more than the governed share is resource hoarding (SPEC §6.1).',
  OWN_RECEIPTS_DISCOUNTED:
    "Receipts from consumer keys that have paid only this owner's nodes would have raised E, R or P; they can only lower them, so they were left out.",
  UNVESTED_FORFEITED:
    'A failed verification or an equivocation was judged this epoch: every unvested reward of the node was forfeited into escrow with the slash (SPEC §6.1).',
  REFERRAL_PAID: "A share of this node's compute reward went to its referrer during the node's first days (SPEC §4.5).",
  VALUATION_CLIPPED: 'The scarcity factor of the hardware class was clipped to its range.',
  GPU_CAP_EXCEEDED: 'GPUs above the per-node cap earn nothing.',
  CLUSTER_CAP_EXCEEDED: "GPUs above the per-cluster cap (all of an owner's nodes) earn nothing.",
  BONUS_CAPPED: 'The bonuses added up to more than the cap and were cut to it.',
  SCORE_CAPPED: 'The score was capped at 3× the contribution.',
  ANOMALY_FLAGGED: 'Physically implausible metrics were reported: the node loses its bonuses this epoch.',
  COMMITMENT_FORFEITED: 'The commitment lock was left early: its multiplier is forfeited for the whole period.',
  PROBATION: 'The node is on probation and receives part of its score while it proves itself.',
  // staker and validator pools
  NODE_NOT_ELIGIBLE: "The bond of a node that earns nothing this epoch earns no staking reward (weighted by the node's quality).",
  NO_AGREED_AUDITS: 'The validator performed no audit that agreed with the final outcome this epoch.',
  ATTESTOR_NOT_APPROVED: 'The attestation list came from an attestor governance has not approved for that role; it was ignored.',
  // epoch-level
  DYNAMIC_FACTOR_CLAMPED: 'The dynamic factor was clamped to its range.',
  CIRCUIT_BREAKER_CLIPPED: 'The dynamic factor moved more than the circuit breaker allows from the last epoch and was clipped.',
  EMISSION_CAPPED: 'The epoch pool reached the maximum emission per epoch.',
  POOL_EMPTY_TO_TREASURY: 'A pool had no eligible participant; it went to the treasury.',
  USAGE_POOL_FEE_BOUND: 'The usage pool reached κ × the protocol fee its receipts paid, and was cut to it; the rest of the compute pool rewards capacity.',
} as const;

export type ReasonCode = keyof typeof REASONS;
