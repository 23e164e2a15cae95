import { SwarmClient, ValidatorAgent } from '@swarm/sdk';
import { readKeys } from './keys.ts';

export type ValidatorCliOptions = { server: string; keys: string; interval: string; probes: string; once?: boolean };

/**
 * `swarm validator`: a validator agent (SPEC §3.4). Every interval it does what is due: commit to a
 * beacon secret for the current epoch, reveal the last one's while the sample waits for it, re-execute
 * each assignment (here the demo's stand-in for re-execution) and commit to its verdict before the
 * commit deadline, reveal the verdicts after it; probe random active nodes (SPEC §3.4). Sequence
 * numbers derive from the clock (ms).
 */
export async function validator(o: ValidatorCliOptions): Promise<void> {
  const keys = readKeys(o.keys);
  let last = 0;
  const agent = new ValidatorAgent({
    client: new SwarmClient({ baseUrl: o.server }),
    keys,
    seq: () => (last = Math.max(last + 1, Date.now())),
    probesPerStep: Number(o.probes),
  });
  const step = async () => {
    try {
      const s = await agent.step(Math.floor(Date.now() / 1000));
      const done = [
        ...s.beaconCommitted.map((e) => `committed beacon secret for epoch ${e}`),
        ...s.beaconRevealed.map((e) => `revealed beacon secret of epoch ${e}`),
        ...s.committed.map((j) => `committed verdict on ${j}`),
        ...s.revealed.map((j) => `revealed verdict on ${j}`),
        ...s.probed.map((n) => `probed ${n}`),
        ...s.refused.map((r) => `refused: ${r}`),
      ];
      for (const line of done) console.log(`${new Date().toISOString()} ${line}`);
    } catch (e) {
      console.error(`${new Date().toISOString()} step failed: ${(e as Error).message}`);
    }
  };
  await step();
  if (o.once) return;
  setInterval(() => void step(), Number(o.interval) * 1000);
  await new Promise(() => {});
}
