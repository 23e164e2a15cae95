import pino, { type Logger } from 'pino';
import type { LogLevel } from '../env.ts';

export type { Logger };

/**
 * The service's logger: pino (fastify's own), JSON lines on standard error so that a command's
 * own output on standard output stays readable. Levels: a line per request at `debug`, a line per
 * epoch close at `info`, refusals that mean a bug and failed closes at `error`, with their cause.
 */
export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: { service: 'swarm' }, serializers: { err: pino.stdSerializers.errWithCause } }, destination);
}

/** A logger that writes nothing: for tests and embedded uses that did not ask for one. */
export const silentLogger: Logger = pino({ level: 'silent' });
