import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

let processMetrics: Registry | undefined;

/** The process's default metrics, collected once per process (each collector keeps timers and observers running). */
function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/**
 * Prometheus metrics: requests, rejections by code, ingest lag and queue, epoch-close duration and
 * the last closed epoch, and the process's own (CPU, memory, heap, event-loop lag, GC: prom-client's
 * defaults, `process_*` and `nodejs_*`).
 */
export class Metrics {
  readonly registry = Registry.merge([new Registry(), processRegistry()]);
  /** What the verify workers hold (set by the context that owns them). */
  verifyQueue: () => number = () => 0;
  readonly queued: Gauge = new Gauge({
    name: 'swarm_verify_queue_signatures',
    help: 'Signatures handed to the verify workers and not yet answered: the ingest queue',
    registers: [this.registry],
    collect: (): void => this.queued.set(this.verifyQueue()),
  });
  readonly requests = new Counter({
    name: 'swarm_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'swarm_rejections_total',
    help: 'Refused requests by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly accepted = new Counter({
    name: 'swarm_messages_accepted_total',
    help: 'Accepted messages by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly ingestLag = new Histogram({
    name: 'swarm_ingest_lag_seconds',
    help: 'Server time minus message timestamp at acceptance',
    buckets: [0, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly closeDuration = new Histogram({
    name: 'swarm_epoch_close_duration_seconds',
    help: 'Time to close an epoch (build input, compute, write)',
    // up to half an hour: a 100k-node close takes minutes (BENCHMARKS.md)
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly closeFailures = new Counter({
    name: 'swarm_epoch_close_failures_total',
    help: 'Epoch closes that failed and will be retried (the store was unreachable, say)',
    registers: [this.registry],
  });
  readonly closeHalted = new Gauge({
    name: 'swarm_epoch_close_halted',
    help: '1 when a close failed an invariant and closing has stopped until the operator acts (the log names the account)',
    registers: [this.registry],
  });
  readonly lastClosed = new Gauge({ name: 'swarm_last_closed_epoch', help: 'The last closed epoch', registers: [this.registry] });
}
