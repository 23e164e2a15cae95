import { Command } from 'commander';
import type { SimOptions } from './sim.ts';

// each command loads its modules when it runs: `swarm params` or `swarm keys generate` need not
// load the service, the store and the simulator (tsx compiles every module on load)
const core = () => import('@swarm/core');
const io = () => import('./io.ts');

const program = new Command();
// a bad flag or a missing argument is a usage error: commander's one line, then exit 2 (help and --version exit 0)
program.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
program.enablePositionalOptions().name('swarm').description('Swarm Rewards — the incentive engine of a decentralized GPU cloud').version('0.1.0');

const rewards = program
  .command('rewards')
  .enablePositionalOptions()
  .description('compute an epoch from its input file and print a summary')
  .argument('<file>', 'epoch input (JSON, see packages/core/epoch-input.schema.json)')
  .option('--params <file>', 'parameter set (JSON); the defaults when omitted')
  .option('--json', 'print the full result as JSON')
  .option('--top <n>', 'how many top earners to list', '10')
  .option('--node <id>', "print one node's statement")
  .action(async (file: string, opts: { params?: string; json?: boolean; top: string; node?: string }) => {
    const [{ processEpoch, resultJson, serializeNodeStatement }, { loadEpochInput, loadParams, run, UsageError }, { formatStatement, formatSummary }] =
      await Promise.all([core(), io(), import('./rewards.ts')]);
    return run(() => {
      const params = loadParams(opts.params);
      const result = processEpoch(loadEpochInput(file, params), params);
      if (opts.node !== undefined) {
        const i = result.nodeIds.indexOf(opts.node);
        if (i < 0) throw new UsageError(`no node ${opts.node} in ${file}`);
        console.log(opts.json ? JSON.stringify(serializeNodeStatement(result.statement(i)), null, 2) : formatStatement(result.statement(i)));
        return;
      }
      console.log(opts.json ? resultJson(result, 2) : formatSummary(result, Number(opts.top)));
    });
  });

rewards
  .command('what-if')
  .description("recompute the epoch with one node's inputs changed and show its statement before and after")
  .argument('<file>', 'epoch input (JSON)')
  .requiredOption('--node <id>', 'the node to change')
  .option('--set <name=value>', 'an input to change (repeatable): uptime, utilisation, rating, commitment, gpus, or any node field path', collect, [])
  .option('--params <file>', 'parameter set (JSON)')
  .option('--json', 'print both statements as JSON')
  .action(async (file: string, opts: { node: string; set: string[]; params?: string; json?: boolean }) => {
    const [{ serializeNodeStatement, whatIf }, { loadEpochInput, loadParams, run, UsageError }, { formatWhatIf }] = await Promise.all([
      core(),
      io(),
      import('./rewards.ts'),
    ]);
    return run(() => {
      if (opts.set.length === 0) throw new UsageError('give at least one --set name=value');
      const changes: Record<string, string> = {};
      for (const s of opts.set) {
        const eq = s.indexOf('=');
        if (eq <= 0) throw new UsageError(`--set expects name=value, got ${JSON.stringify(s)}`);
        changes[s.slice(0, eq)] = s.slice(eq + 1);
      }
      const params = loadParams(opts.params);
      const { before, after } = whatIf(loadEpochInput(file, params), params, opts.node, changes);
      console.log(
        opts.json ? JSON.stringify({ before: serializeNodeStatement(before), after: serializeNodeStatement(after) }, null, 2) : formatWhatIf(before, after),
      );
    });
  });

program
  .command('params')
  .description('print the default parameter set (SPEC §3–7) and its content hash')
  .action(async () => {
    const [{ DEFAULT_PARAMS_JSON, defaultParams, paramsHash }, { run }] = await Promise.all([core(), io()]);
    return run(() => {
      console.log(JSON.stringify({ hash: paramsHash(defaultParams()), params: DEFAULT_PARAMS_JSON }, null, 2));
    });
  });

program
  .command('start')
  .description('run the service (API on 127.0.0.1:8640) on the embedded store, or on DATABASE_URL')
  .option('--data-dir <dir>', 'embedded store directory (default .swarm/data, or SWARM_DATA_DIR)')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port (default 8640)')
  .option('--epoch-seconds <s>', 'epoch length for a new store (default 86400)')
  .option('--slot-seconds <s>', 'heartbeat slot for a new store (default 60)')
  .option('--grace-seconds <s>', 'how long after its end an epoch still accepts messages (default 60)')
  .option('--genesis <unix>', 'start of epoch 0 for a new store (default: the current epoch boundary)')
  .option('--params <file>', 'genesis parameter set for a new store')
  .option(
    '--onboarding <mode>',
    "for a new store: 'validators' (a node earns once a validator's onboarding check passes; default) or 'open' (every node until a check fails)",
  )
  .option('--quiet', 'print nothing as epochs close')
  .action(async (o) => {
    const [{ run }, { start }] = await Promise.all([io(), import('./start.ts')]);
    return run(async () => void (await start(o)));
  });

program
  .command('seed')
  .description('fill a new store with a realistic network of N nodes and its last epochs of heartbeats and receipts, for trying the service at scale')
  .requiredOption('--nodes <n>', 'nodes (an owner per three, a consumer per five)')
  .option('--data-dir <dir>', 'embedded store directory (default .swarm/data, or SWARM_DATA_DIR); DATABASE_URL for PostgreSQL')
  .option('--epochs <n>', 'epochs of traffic, ending at the current epoch boundary', '1')
  .option('--receipts <n>', 'receipts per node-day (the simulator makes ~130)', '130')
  .option('--epoch-seconds <s>', 'epoch length of the new store', '86400')
  .option('--seed <n>', 'seed: the same options give the same network', '1')
  .action(async (o) => {
    const [{ run }, { seed }] = await Promise.all([io(), import('./seed.ts')]);
    return run(() => seed(o));
  });

program
  .command('demo')
  .description('the service with short epochs, driven over HTTP by a simulated network (what npm start runs)')
  .option('--nodes <n>', 'simulated nodes', '120')
  .option('--epoch-seconds <s>', 'epoch length', '60')
  .option('--epochs <n>', 'stop after this many epochs (default: run until Ctrl-C)')
  .option('--port <port>', 'port (default 8640)')
  .option('--data-dir <dir>', 'embedded store (wiped at start unless --keep)', '.swarm/demo')
  .option('--keep', 'keep the store from the last demo')
  .option('--seed <n>', 'seed of the simulated network', '1')
  .option('--chain', 'run anvil as the chain: the service posts every root to a RewardDistributor, and a provider claims')
  .action(async (o) => {
    const [{ run }, { demo }] = await Promise.all([io(), import('./demo.ts')]);
    return run(() => demo(o));
  });

const ag = program
  .command('agent')
  .enablePositionalOptions()
  .description('a node agent: registers the node, then sends a signed heartbeat every interval')
  .requiredOption('--node-id <id>', 'the node id')
  .requiredOption('--keys <file>', 'the node key file (swarm keys generate)')
  .requiredOption('--owner-keys <file>', "the owner's key file")
  .requiredOption('--owner <address>', 'payout address (0x…)')
  .option('--server <url>', 'the service', 'http://127.0.0.1:8640')
  .option('--gpu <model:count>', 'a GPU model and count (repeatable), e.g. H100:8', collect, [])
  .option('--region <region>', 'region', 'eu-west')
  .option('--sla <class>', 'SLA class', 'minimum')
  .option('--provider-class <class>', 'provider class', 'individual')
  .option('--interval <seconds>', 'seconds between heartbeats', '60')
  .option('--once', 'register and send one heartbeat, then exit')
  .action(async (o) => {
    const [{ run }, { agent }] = await Promise.all([io(), import('./agent.ts')]);
    return run(() => agent(o));
  });

ag.command('job')
  .description('report a finished job: the node signs the receipt and the consumer countersigns it')
  .requiredOption('--node-id <id>', 'the node id')
  .requiredOption('--keys <file>', 'the node key file')
  .requiredOption('--consumer-keys <file>', "the consumer's key file")
  .requiredOption('--job-id <id>', 'job id (used once)')
  .requiredOption('--gpu-seconds <n>', 'GPU-seconds used')
  .requiredOption('--price <amount>', 'price paid, base units')
  .option('--model <model>', 'GPU model', 'other')
  .option('--rating <1-5>', "the consumer's rating", '5')
  .option('--response-ms <ms>', 'response time', '100')
  .option('--result <sha256>', "the hash of the job's result (default: the demo's stand-in, a function of the job)")
  .option('--failed', 'the job failed')
  .option('--server <url>', 'the service', 'http://127.0.0.1:8640')
  .action(async (o) => {
    const [{ run }, { reportJob }] = await Promise.all([io(), import('./agent.ts')]);
    return run(() => reportJob(o));
  });

program
  .command('validator')
  .description('a validator agent: commits and reveals beacon secrets, re-executes its audit assignments, commits and reveals its verdicts, probes nodes')
  .requiredOption('--keys <file>', "the validator's key file (the key of its operator stake)")
  .option('--server <url>', 'the service', 'http://127.0.0.1:8640')
  .option('--interval <seconds>', 'seconds between steps', '10')
  .option('--probes <n>', 'liveness probes to send each step, to random active nodes', '2')
  .option('--once', 'do what is due now, then exit')
  .action(async (o) => {
    const [{ run }, { validator }] = await Promise.all([io(), import('./validator.ts')]);
    return run(() => validator(o));
  });

const keysCmd = program.command('keys').description('Ed25519 keys for nodes, owners, consumers and attestors');
keysCmd
  .command('generate')
  .description('a new key pair (JSON)')
  .option('--out <file>', 'write to this file (mode 0600) instead of standard output')
  .action(async (o: { out?: string }) => {
    const [{ run }, { generate }] = await Promise.all([io(), import('./keys.ts')]);
    return run(() => generate(o.out));
  });
keysCmd
  .command('show')
  .argument('<file>', 'a key file')
  .description('the public key of a key file')
  .action(async (file: string) => {
    const [{ run }, { readKeys }] = await Promise.all([io(), import('./keys.ts')]);
    return run(() => console.log(readKeys(file).publicKey));
  });

program
  .command('check')
  .description('check the ledger invariants (through --server, or on the stopped store)')
  .option('--server <url>', 'a running service')
  .option('--data-dir <dir>', 'the embedded store')
  .option('--token <token>', 'operator token (default: SWARM_OPERATOR_TOKEN or <data-dir>/operator-token)')
  .action(async (o) => {
    const [{ run }, { check }] = await Promise.all([io(), import('./ops.ts')]);
    return run(() => check(o));
  });

program
  .command('prune')
  .description(
    'retention: drop the heartbeat bitmaps, receipts and refusals of closed epochs older than the last N (inputs, statements, results and the ledger stay)',
  )
  .option('--keep-epochs <n>', 'closed epochs to keep whole (at least 2)')
  .option('--data-dir <dir>', 'the embedded store (stopped); DATABASE_URL for a PostgreSQL server')
  .action(async (o) => {
    const [{ run }, { prune }] = await Promise.all([io(), import('./ops.ts')]);
    return run(() => prune(o));
  });

program
  .command('epoch')
  .description('epoch operations')
  .command('close')
  .description('close every epoch whose time has come (operator)')
  .option('--server <url>', 'the service', 'http://127.0.0.1:8640')
  .option('--data-dir <dir>', 'where the operator token is')
  .option('--token <token>', 'operator token')
  .action(async (o) => {
    const [{ run }, { epochClose }] = await Promise.all([io(), import('./ops.ts')]);
    return run(() => epochClose(o));
  });

program
  .command('verify')
  .description(
    'recompute an epoch from its published input and check the signed manifest, and with --audits its audits (exit 0, or 1 naming the first difference)',
  )
  .argument('<input>', 'the epoch input (GET /v1/epochs/{n}/input)')
  .argument('<manifest>', 'the manifest (GET /v1/epochs/{n}/manifest)')
  .option('--previous <tree>', "the previous epoch's tree (GET /v1/epochs/{n-1}/tree), needed after the first epoch")
  .option('--params <file>', 'the parameter set the epoch used (default: the defaults)')
  .option('--operator <address>', "the operator's address you trust")
  .option(
    '--audits <files...>',
    'audit records (GET /v1/epochs/{k}/audits) of the samples judged in this epoch: k = n − 1 and earlier ones with referrals or disputes',
  )
  .option('--sample-input <file>', "epoch n − 1's input: checks the receipts its sample was drawn from against the input's commitment")
  .action(async (input: string, manifest: string, o: { previous?: string; params?: string; operator?: string; audits?: string[]; sampleInput?: string }) => {
    const [{ readJson, run }, { verifyEpoch }] = await Promise.all([io(), import('./verify.ts')]);
    return run(async () => {
      const r = await verifyEpoch({
        input: readJson(input, 'epoch input'),
        manifest: readJson(manifest, 'manifest'),
        previousTree: o.previous === undefined ? undefined : readJson(o.previous, 'previous tree'),
        params: o.params === undefined ? undefined : readJson(o.params, 'parameter file'),
        operator: o.operator,
        ...(o.audits === undefined ? {} : { audits: o.audits.map((f) => readJson(f, 'audit record')) }),
        ...(o.sampleInput === undefined ? {} : { sampleInput: readJson(o.sampleInput, 'sample input') }),
      });
      if (r.ok) console.log(r.message);
      else {
        console.error(`NOT VERIFIED — ${r.message}`);
        process.exitCode = 1;
      }
    });
  });

const server = (c: Command) => c.option('--server <url>', 'the service', 'http://127.0.0.1:8640');
program
  .command('sim')
  .description('run an incentive scenario (mixed, outage, small, e2e) and write its report')
  .argument('<scenario>', 'the scenario')
  .option('--e2e', 'end to end: through a real service on loopback (its own temporary store), not just the core — the e2e scenario is sized for it')
  .option('--epochs <n>', "epochs to run (default: the scenario's)")
  .option('--seed <n>', "the seed (default: the scenario's)")
  .option('--params <file>', 'a parameter set (JSON)')
  .option('--server <url>', "use a running service's live parameter set")
  .option('--proposal <id>', "with --server: the live set with this governance proposal's patch applied")
  .option('--out <dir>', 'where to write report.md, report.json and the charts (default sim-report/<scenario>)')
  .option('--quiet', 'no progress bar or summary')
  .action(async (name: string, o: SimOptions & { params?: string; server?: string; proposal?: string }) => {
    const [{ loadParams, run }, { sim, simParams }] = await Promise.all([io(), import('./sim.ts')]);
    return run(async () => {
      const params = await simParams(o, loadParams);
      await sim(name, params, { ...o, out: o.out ?? `sim-report/${name}` });
    });
  });
server(
  program
    .command('stake')
    .description('stake (user, operator) or bond a node from your wallet (embedded mode)')
    .requiredOption('--keys <file>', 'the staking key file')
    .requiredOption('--id <id>', 'a new stake id')
    .requiredOption('--amount <tokens>', 'amount in tokens')
    .requiredOption('--payout <address>', 'where its rewards are claimable')
    .option('--kind <kind>', 'user, operator or bond', 'user')
    .option('--node <id>', 'the node, for a bond')
    .option('--lock-days <days>', 'commitment lock', '0'),
).action(async (o) => {
  const [{ run }, { stake }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => stake(o));
});
server(
  program
    .command('unbond')
    .description('start unbonding part of a stake (released after the unbonding delay)')
    .requiredOption('--keys <file>', 'the staking key file')
    .requiredOption('--id <id>', 'the stake id')
    .requiredOption('--amount <tokens>', 'amount in tokens'),
).action(async (o) => {
  const [{ run }, { unbond }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => unbond(o));
});
const gov = program.command('gov').description('governance: proposals and votes');
server(
  gov
    .command('propose')
    .description('propose a parameter patch, an appeal of a slash in escrow, the expansion phase or an attestor (your key pays the deposit)')
    .requiredOption('--keys <file>', 'a staking key file')
    .requiredOption('--id <id>', 'a new proposal id')
    .option('--patch <json>', 'the patch, e.g. \'{"compute":{"scoreCap":"2.5"}}\'')
    .option('--reverse-slash <slashId>', 'an appeal: return this escrowed slash to the bond (see GET /v1/slashes)')
    .option('--expansion <on|off>', 'declare (on) or end (off) the expansion phase: emission growth 1.25 while on')
    .option('--approve-attestor <id>', 'approve an attestor (with --attestor-key and --roles)')
    .option('--attestor-key <hex>', "the attestor's Ed25519 public key")
    .option('--roles <list>', 'comma-separated roles: model, developer, community, liquidity')
    .option('--simulate', 'with --patch: attach the simulated impact (the last epochs replayed, the incentive scenario) to the proposal')
    .option('--simulate-epochs <n>', 'how many of the last closed epochs to replay (default 3)')
    .option('--description <text>', 'what and why', ''),
).action(async (o) => {
  const [{ run }, { propose }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => propose(o));
});
server(
  gov
    .command('vote')
    .description('vote on a proposal')
    .requiredOption('--keys <file>', 'a staking key file')
    .requiredOption('--id <id>', 'the proposal')
    .requiredOption('--option <option>', 'yes, no, abstain or veto'),
).action(async (o) => {
  const [{ run }, { vote }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => vote(o));
});
server(gov.command('list').description('every proposal with its status and tally')).action(async (o) => {
  const [{ run }, { listOrShow }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => listOrShow(o));
});
server(gov.command('show').argument('<id>', 'the proposal').description('one proposal with its votes')).action(async (id: string, o) => {
  const [{ run }, { listOrShow }] = await Promise.all([io(), import('./gov.ts')]);
  return run(() => listOrShow({ ...o, id }));
});

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

await program.parseAsync(process.argv);
