import {
  type AuditRecord,
  type Claim,
  ClaimTree,
  checkAuditRecord,
  checkValidatorCredits,
  contentHash,
  cumulativeClaims,
  DEFAULT_PARAMS_JSON,
  loadKeccak,
  type Manifest,
  manifestMessage,
  manifestTotals,
  paramsHash,
  parseEpochInput,
  parseParams,
  processEpoch,
} from '@swarm/core';
import { recoverMessageAddress } from 'viem';
import { EMPTY_ROOT } from '../keepers/settlement.ts';

export type VerifyInputs = {
  input: unknown;
  manifest: unknown;
  previousTree?: unknown;
  params?: unknown;
  operator?: string;
  /** The audit records (GET /v1/epochs/{k}/audits) of the samples judged in this epoch: k = n − 1, and earlier ones whose referrals or disputes it judged. */
  audits?: unknown[];
  /** Epoch n − 1's input: then the receipts the sample was drawn from are checked against its commitment. */
  sampleInput?: unknown;
};
export type VerifyReturnType = { ok: true; message: string } | { ok: false; message: string };

const fail = (message: string): VerifyReturnType => ({ ok: false, message });

/**
 * Recomputes an epoch from its published input and checks it against the signed manifest: the
 * signature, the parameter version, the input hash, the pool totals, the number of payees, the
 * previous root and the Merkle root of the cumulative claims. Returns the first difference.
 */
export async function verifyEpoch(v: VerifyInputs): Promise<VerifyReturnType> {
  await loadKeccak();
  const m = v.manifest as Manifest;
  if (!m || typeof m !== 'object' || !m.body || typeof m.signature !== 'string') return fail('the manifest is not {body, signature}');
  const b = m.body;
  let signer: string;
  try {
    signer = (await recoverMessageAddress({ message: manifestMessage(b), signature: m.signature as `0x${string}` })).toLowerCase();
  } catch {
    return fail('signature: not a valid secp256k1 signature');
  }
  if (signer !== String(b.operator).toLowerCase()) return fail(`signature: signed by ${signer}, not by the manifest's operator ${b.operator}`);
  if (v.operator !== undefined && signer !== v.operator.toLowerCase())
    return fail(`signature: signed by ${signer}, not by the expected operator ${v.operator}`);
  const params = parseParams(v.params ?? DEFAULT_PARAMS_JSON);
  if (paramsHash(params) !== b.paramsHash)
    return fail(`paramsHash: the manifest used ${b.paramsHash}, the given parameter set is ${paramsHash(params)} (pass --params)`);
  if (contentHash(v.input) !== b.inputHash) return fail(`inputHash: the input hashes to ${contentHash(v.input)}, the manifest says ${b.inputHash}`);
  const input = parseEpochInput(v.input, params);
  if (input.epoch !== b.epoch) return fail(`epoch: the input is epoch ${input.epoch}, the manifest epoch ${b.epoch}`);
  // the audits judged in this epoch (SPEC §3.4): beacon, seed, sample, traps, reveals, outcomes, and the validator pool's credits
  if (v.audits !== undefined) {
    const records = v.audits as AuditRecord[];
    const sample = records.find((r) => r.epoch === input.epoch - 1);
    if (!sample) return fail(`audits: pass the record of epoch ${input.epoch - 1}'s sample (GET /v1/epochs/${input.epoch - 1}/audits)`);
    const s = v.sampleInput as { receipts?: string } | undefined;
    for (const r of records) {
      const bad = checkAuditRecord(r, params, r === sample && s !== undefined ? { hash: contentHash(s), receipts: s.receipts } : undefined);
      if (bad) return fail(`audits of epoch ${r.epoch}: ${bad}`);
    }
    const credits = checkValidatorCredits(input.epoch, records, input.validators);
    if (credits) return fail(`validators: ${credits}`);
  }
  const result = processEpoch(input, params);
  const totals = manifestTotals(result);
  for (const [k, want] of Object.entries(b.totals)) {
    const got = (totals as Record<string, string>)[k];
    if (got !== want) return fail(`totals.${k}: recomputed ${got}, the manifest says ${want}`);
  }
  if (result.payouts.length !== b.payees) return fail(`payees: recomputed ${result.payouts.length}, the manifest says ${b.payees}`);
  let previous: Claim[] = [];
  if (b.previousRoot !== null) {
    if (v.previousTree === undefined) return fail('previousRoot: this epoch builds on the previous tree; pass it with --previous (GET /v1/epochs/{n-1}/tree)');
    const dump = v.previousTree as { values?: { value: [string, string] }[] };
    previous = (dump.values ?? []).map((x) => ({ address: x.value[0].toLowerCase(), amount: BigInt(x.value[1]) }));
    const prevRoot = previous.length === 0 ? EMPTY_ROOT : ClaimTree.build(previous).root;
    if (prevRoot !== b.previousRoot) return fail(`previousRoot: the given previous tree has root ${prevRoot}, the manifest builds on ${b.previousRoot}`);
  }
  const claims = cumulativeClaims(previous, result.claims);
  const root = claims.length === 0 ? EMPTY_ROOT : ClaimTree.build(claims).root;
  if (root !== b.root) return fail(`root: recomputed ${root}, the manifest says ${b.root}`);
  const audited = v.audits === undefined ? '' : `; its audits, sample, traps and validator credits recomputed from ${v.audits.length} record(s)`;
  return { ok: true, message: `epoch ${b.epoch} verified: root ${root} over ${claims.length} cumulative claims, signed by ${signer}${audited}` };
}
