import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Bundle, bundleDashboard } from '@swarm/web';
import type { FastifyInstance } from 'fastify';

const PUBLIC = new URL('../../../web/public/', import.meta.url);
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const FILES = ['index.html', 'style.css'];

/** Chart.js's browser build, from the dashboard package's dependency (npm), served as it ships. */
function chartJs() {
  const main = createRequire(new URL('package.json', new URL('../', PUBLIC))).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'));
}

/** The dashboard's code, bundled once per process (esbuild, in memory) from its TypeScript sources. */
let bundle: Promise<Bundle> | undefined;
export const dashboardBundle = (): Promise<Bundle> => {
  bundle ??= bundleDashboard();
  return bundle;
};

/**
 * Serves the dashboard at `/`: `packages/web/public` (the page and its style), the app bundled
 * from `packages/web/src` (Preact, TypeScript) on the first request, and Chart.js as it ships.
 */
export function registerDashboard(app: FastifyInstance): void {
  const files = new Map(FILES.map((f) => [f, readFileSync(new URL(f, PUBLIC))]));
  files.set('chart.js', chartJs());
  app.get('/assets/app.js', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .header('cache-control', 'no-cache')
      .type(TYPES.js as string)
      .send((await dashboardBundle()).js),
  );
  const send = (name: string) => async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .type(TYPES[name.split('.').pop() as string] ?? 'application/octet-stream')
      .send(files.get(name));
  app.get('/', { schema: { hide: true } }, send('index.html'));
  app.get('/assets/style.css', { schema: { hide: true } }, send('style.css'));
  app.get('/assets/chart.js', { schema: { hide: true } }, send('chart.js'));
}
