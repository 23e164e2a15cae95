import { DEFAULT_PARAMS_JSON, defaultParams, paramsHash, processEpoch, resultJson, serializeNodeStatement, whatIf } from '@swarm/core';
import { Command } from 'commander';
import { loadEpochInput, loadParams, run, UsageError } from './io.ts';
import { formatStatement, formatSummary, formatWhatIf } from './rewards.ts';

const program = new Command();
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
  .action((file: string, opts: { params?: string; json?: boolean; top: string; node?: string }) =>
    run(() => {
      const params = loadParams(opts.params);
      const result = processEpoch(loadEpochInput(file, params), params);
      if (opts.node !== undefined) {
        const i = result.nodeIds.indexOf(opts.node);
        if (i < 0) throw new UsageError(`no node ${opts.node} in ${file}`);
        console.log(opts.json ? JSON.stringify(serializeNodeStatement(result.statement(i)), null, 2) : formatStatement(result.statement(i)));
        return;
      }
      console.log(opts.json ? resultJson(result, 2) : formatSummary(result, Number(opts.top)));
    }),
  );

rewards
  .command('what-if')
  .description("recompute the epoch with one node's inputs changed and show its statement before and after")
  .argument('<file>', 'epoch input (JSON)')
  .requiredOption('--node <id>', 'the node to change')
  .option('--set <name=value>', 'an input to change (repeatable): uptime, utilisation, rating, commitment, gpus, or any node field path', collect, [])
  .option('--params <file>', 'parameter set (JSON)')
  .option('--json', 'print both statements as JSON')
  .action((file: string, opts: { node: string; set: string[]; params?: string; json?: boolean }) =>
    run(() => {
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
    }),
  );

program
  .command('params')
  .description('print the default parameter set (SPEC §3–7) and its content hash')
  .action(() =>
    run(() => {
      console.log(JSON.stringify({ hash: paramsHash(defaultParams()), params: DEFAULT_PARAMS_JSON }, null, 2));
    }),
  );

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

await program.parseAsync(process.argv);
