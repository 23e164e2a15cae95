import { readFileSync } from 'node:fs';
import { BaseError, DEFAULT_PARAMS_JSON, type EpochInput, type Params, parseEpochInput, parseParams } from '@swarm/core';
import { EnvError } from '../env.ts';
import { InvalidSettingError } from '../service/context.ts';
import { StoreMissingError } from '../store/db.ts';

/** A fault the user can fix: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function loadParams(path: string | undefined): Params {
  return parseParams(path === undefined ? DEFAULT_PARAMS_JSON : readJson(path, 'parameter file'));
}

export function loadEpochInput(path: string, params: Params): EpochInput {
  return parseEpochInput(readJson(path, 'epoch input'), params);
}

/** Runs a command body, turning user faults into one clear line and exit code 2. */
export async function run(body: () => void | Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof UsageError || e instanceof EnvError || e instanceof InvalidSettingError || e instanceof StoreMissingError) {
      console.error(`error: ${e.message}`);
      process.exitCode = 2;
    } else if (e instanceof BaseError) {
      console.error(`error: ${e.code}: ${e.message}`);
      process.exitCode = 2;
    } else if (
      e instanceof Error &&
      (e.name === 'SwarmApiError' || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || e.message.startsWith('fetch failed'))
    ) {
      console.error(`error: ${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}`);
      process.exitCode = 2;
    } else throw e;
  }
}
