import type { FastifyInstance } from 'fastify';

/**
 * A `fetch` that answers through the service's routes in this process (`fastify.inject`), so an
 * SDK client can drive the service without a socket: tests, examples and the simulator use it.
 */
export function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const u = new URL(String(input));
    const r = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      payload: (init?.body as string | undefined) ?? undefined,
      headers: init?.headers as Record<string, string>,
    });
    return new Response(r.body === '' ? null : r.body, { status: r.statusCode, headers: { 'content-type': 'application/json' } });
  };
}
