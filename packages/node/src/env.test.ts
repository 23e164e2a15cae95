import { describe, expect, it } from 'vitest';
import { EnvError, readEnv } from './env.ts';
import { checkSettings, InvalidSettingError } from './service/context.ts';

describe('readEnv: every variable validated loudly', () => {
  it('takes the defaults when nothing is set (an empty value counts as unset)', () => {
    expect(readEnv({ SWARM_PORT: '' })).toMatchObject({ host: '127.0.0.1', port: 8640, dataDir: '.swarm/data', logLevel: 'info', chainRpc: undefined });
  });

  it('reads good values', () => {
    const key = `0x${'ab'.repeat(32)}`;
    const env = readEnv({
      SWARM_PORT: '0',
      SWARM_OPERATOR_ETH_KEY: key,
      SWARM_LOG_LEVEL: 'debug',
      SWARM_CHAIN_RPC: 'http://127.0.0.1:8545',
      SWARM_DISTRIBUTOR: `0x${'cd'.repeat(20)}`,
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
    expect(env).toMatchObject({ port: 0, operatorEthKey: key, logLevel: 'debug', databaseUrl: 'postgres://u@h:5432/db' });
  });

  it.each([
    ['SWARM_PORT', 'abc', /SWARM_PORT must be a port number/],
    ['SWARM_PORT', '70000', /SWARM_PORT must be a port number/],
    ['SWARM_OPERATOR_ETH_KEY', '0x1234', /SWARM_OPERATOR_ETH_KEY must be a secp256k1 private key/],
    ['SWARM_DISTRIBUTOR', '0xnothex', /SWARM_DISTRIBUTOR must be an address/],
    ['SWARM_STAKING_VAULT', '0x12', /SWARM_STAKING_VAULT must be an address/],
    ['SWARM_CHAIN_CONFIRMATIONS', '-1', /SWARM_CHAIN_CONFIRMATIONS must be a number of blocks/],
    ['SWARM_CHAIN_FROM_BLOCK', 'latest', /SWARM_CHAIN_FROM_BLOCK must be a block number/],
    ['SWARM_LOG_LEVEL', 'loud', /SWARM_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres/],
    ['SWARM_OPERATOR_TOKEN', 'short', /SWARM_OPERATOR_TOKEN must be 16–256/],
    ['SWARM_DATA_DIR', 'a\u0000b', /SWARM_DATA_DIR must be a directory path/],
  ])('%s=%j is refused, naming the variable', (name, value, want) => {
    expect(() => readEnv({ [name]: value })).toThrow(EnvError);
    expect(() => readEnv({ [name]: value })).toThrow(want);
  });

  it('refuses half a chain adapter rather than quietly running without one', () => {
    expect(() => readEnv({ SWARM_CHAIN_RPC: 'http://127.0.0.1:8545' })).toThrow(/at least one contract/);
    expect(() => readEnv({ SWARM_STAKING_VAULT: `0x${'ef'.repeat(20)}` })).toThrow(/at least one contract, or none/);
    expect(readEnv({ SWARM_CHAIN_RPC: 'http://127.0.0.1:8545', SWARM_STAKING_VAULT: `0x${'ef'.repeat(20)}`, SWARM_CHAIN_CONFIRMATIONS: '3' })).toMatchObject({
      stakingVault: `0x${'ef'.repeat(20)}`,
      distributor: undefined,
      confirmations: 3,
      fromBlock: 0,
    });
  });

  it('never echoes a long value (a secret, or a megabyte) in full', () => {
    const e = (() => {
      try {
        readEnv({ SWARM_OPERATOR_ETH_KEY: `0x${'9'.repeat(70)}` });
      } catch (x) {
        return x as Error;
      }
    })();
    expect(e?.message).not.toContain('9'.repeat(20));
  });
});

describe('checkSettings: the stores swarm start may create', () => {
  const ok = { genesis: 0, epochSeconds: 60, slotSeconds: 1, graceSeconds: 2, windowSeconds: 300, daySeconds: 86_400, onboarding: 'open' as const };
  it('accepts 60-s epochs of 1-s slots', () => expect(() => checkSettings(ok)).not.toThrow());
  it.each([
    [{ epochSeconds: 30 }, /epochSeconds must be a whole number from 60/],
    [{ epochSeconds: 90, slotSeconds: 60 }, /multiple of slotSeconds/],
    [{ slotSeconds: 0 }, /slotSeconds/],
    [{ graceSeconds: -1 }, /graceSeconds/],
  ])('refuses %j', (patch, want) => {
    expect(() => checkSettings({ ...ok, ...patch })).toThrow(InvalidSettingError);
    expect(() => checkSettings({ ...ok, ...patch })).toThrow(want);
  });
});
