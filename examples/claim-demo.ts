/**
 * End to end on anvil (Foundry's local chain, started here): a simulated network drives the real
 * service through two epochs; each close settles a Merkle root and a signed manifest; the chain
 * adapter posts the roots to a RewardDistributor through anvil's JSON-RPC endpoint; every payee
 * claims its cumulative total with the service's proof; the distributor pays out to the last unit.
 *
 *   npx tsx examples/claim-demo.ts
 */

import { Chain, RewardDistributor, TestToken } from '@swarm/contracts';
import { formatTokens } from '@swarm/core';
import { SwarmClient } from '@swarm/sdk';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { injectFetch } from '../packages/node/src/api/inject-fetch.ts';
import { buildServer } from '../packages/node/src/api/server.ts';
import { RootPublisher } from '../packages/node/src/chain/publisher.ts';
import { SimulatedNetwork } from '../packages/node/src/demo/network.ts';
import { closeDueEpochs } from '../packages/node/src/keepers/epoch-close.ts';
import { ManualClock } from '../packages/node/src/service/clock.ts';
import { initContext } from '../packages/node/src/service/context.ts';
import { openDb } from '../packages/node/src/store/db.ts';

const OPERATOR_KEY = `0x${'5e'.repeat(32)}` as const;
const genesis = 1_767_225_600;
const db = await openDb({ dataDir: 'memory://' });
const clock = new ManualClock(genesis - 3);
const ctx = await initContext({
  db,
  clock,
  operatorToken: 'demo',
  operatorEthKey: OPERATOR_KEY,
  settings: { genesis, epochSeconds: 60, slotSeconds: 1, graceSeconds: 2, windowSeconds: 120 },
});
const app = await buildServer(ctx, { rateLimit: 1e9 });
// the SDK client, over the service's routes in this process
const viaInject = injectFetch(app);
const client = new SwarmClient({ baseUrl: 'http://service', operatorToken: 'demo', fetch: viaInject });
const net = new SimulatedNetwork(client, { seed: 3, nodes: 30 });
await net.bootstrap(clock.now());
for (let slot = 0; slot < 125; slot++) {
  clock.set(genesis + slot);
  if (slot < 120) await net.tick(clock.now(), slot, Math.floor(slot / 60), 60);
  for (const n of await closeDueEpochs(ctx)) console.log(`epoch ${n} closed and settled`);
}

// the chain: anvil, a token, and a distributor owned by the operator's key
const chain = await Chain.create();
const rpcUrl = chain.url;
const deployer = `0x${'de'.repeat(20)}` as Hex;
const operator = privateKeyToAccount(OPERATOR_KEY);
await chain.fund(operator.address);
const token = await chain.deploy(TestToken, [], deployer);
const distributor = await chain.deploy(RewardDistributor, [token, operator.address], deployer);
const publisher = await RootPublisher.connect({ rpcUrl, distributor }, operator);
console.log(`posted roots of epochs ${(await publisher.publishPending(db)).join(', ')} to ${distributor} via ${rpcUrl}`);

// fund the distributor with exactly what the latest tree owes, then let every payee claim
const tree = (await (await viaInject('http://service/v1/epochs/1/tree')).json()) as { values: { value: [Hex, string] }[] };
const owed = tree.values.reduce((a, v) => a + BigInt(v.value[1]), 0n);
await chain.send(TestToken, token, 'mint', [distributor, owed], deployer);
let paid = 0n;
for (const v of tree.values) {
  const p = (await (await viaInject(`http://service/v1/epochs/1/proofs/${v.value[0]}`)).json()) as { amount: string; proof: Hex[] };
  const r = await chain.send(RewardDistributor, distributor, 'claim', [v.value[0], BigInt(p.amount), p.proof], v.value[0]);
  if (!r.ok) throw new Error(`claim for ${v.value[0]} failed: ${r.error}`);
  paid += r.value as bigint;
}
const left = (await chain.read(TestToken, token, 'balanceOf', [distributor])) as bigint;
console.log(`${tree.values.length} payees claimed ${formatTokens(paid)} tokens; the distributor holds ${left} base units`);
await chain.stop();
await app.close();
await db.close();
if (left !== 0n || paid !== owed) process.exit(1);
