/** The service's HTTP API, same origin: a refusal becomes an Error with the API's code and message. */
export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(path, init);
  const body = (await r.json()) as T & { code?: string; message?: string };
  if (!r.ok) throw new Error(`${body.code ?? r.status}: ${body.message ?? r.statusText}`);
  return body;
}

export const post = <T>(path: string, body: unknown): Promise<T> =>
  api<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// ---- the shapes the pages read (the OpenAPI document at /openapi.json has them all) ----

export type Pool = { allocated: string; paid: string; toTreasury: string };
export type EpochSummary = {
  epoch: number;
  closedAt: number;
  epochPool: string;
  earning: number;
  nodes: number;
  payees: number;
  fees: string;
  burned: string;
  treasury: string;
  dynamicFactor: string;
  networkUtilisation: string;
  paramsHash: string;
  inputHash: string;
  stakeRatio?: string;
  supply?: string;
  pools: Record<string, Pool>;
  classes?: { hardwareClass: string; delivered: string; provisioned: string }[];
};
export type Status = { currentEpoch: number; nextCloseAt: number; nodes: number; receipts: number };
export type Network = {
  gpus: number;
  stakeRatio: string | null;
  models: { model: string; gpus: number; nodes: number }[];
  regions: { region: string; nodes: number }[];
};
export type Gpu = { model: string; count: number };
export type Statement = {
  id: string;
  hardwareClass: string;
  uptime: string;
  eligible: boolean;
  reward: string;
  reasons: string[];
  contribution: string;
  computeUnits: string;
  upSeconds: string;
  countedGpus: number;
  gpus: number;
  quality: { total: string; uptime: string; errors: string; response: string; rating: string };
  valuation: { total: string; scarcity: string; geo: string };
  commitment: string;
  bonuses: { total: string; quality: string; newNode: string; underServed: string; innovation: string; energy: string };
  score: string;
  rawScore: string;
  probationShare: string;
  bond: string;
  minBond: string;
  bondReward: string;
  capacityReward: string;
  usageReward: string;
  fee: string;
  unvested: string;
  locked: string;
  vested: string;
  forfeited: string;
};
export type Node = {
  id: string;
  owner: string;
  providerClass: string;
  slaClass: string;
  region: string;
  status: string;
  probationStage: number;
  onboarded: boolean;
  registeredAt: number;
  hardware: { gpus: Gpu[] };
  bonds: { id: string; amount: string; effectiveEpoch: number; source?: string }[];
  recent: { epoch: number; reward: string; statement: Statement }[];
};
export type Slash = {
  id: string;
  epoch: number;
  faultEpoch: number;
  kind: string;
  action: string;
  note: string;
  amount: string;
  evidence: string[];
  status: string;
  releaseEpoch: number;
  resolvedEpoch: number | null;
  resolution: { compensation: { amount: string }[]; burned: string; toTreasury: string; proposal?: string } | null;
};
// biome-ignore lint/suspicious/noExplicitAny: the parameter set as the API serialises it (validated by the service, read here by path)
export type Params = { hash: string; effectiveEpoch: number; params: Record<string, any> };
