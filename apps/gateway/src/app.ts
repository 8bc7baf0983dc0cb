import { BatonError } from '@baton/protocol';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { chatCors } from './chat-cors.ts';
import type { GatewayDependencies } from './dependencies.ts';
import type { GatewayEnv } from './gateway-env.ts';
import { errorResponse } from './http-errors.ts';
import { chatRoutes } from './routes/chat-routes.ts';
import { playgroundRoutes, sessionRoutes } from './routes/session-routes.ts';

const READY_TIMEOUT_MS = 1000;

/**
 * The gateway's Hono app (the HTTP API of the README). Pure: every dependency comes in, so tests
 * call `createApp(dependencies).request(...)`; `main.ts` serves it.
 */
export function createApp(dependencies: GatewayDependencies): Hono<GatewayEnv> {
  const { config, store, logger } = dependencies;
  const app = new Hono<GatewayEnv>();
  app.use('*', requestId());

  app.onError((error, c) => {
    const id = c.get('requestId');
    if (!BatonError.isInstance(error) || error.code === 'INVARIANT') {
      logger.error({ err: error, requestId: id, path: c.req.path }, 'request failed');
    } else if (error.isRetryable) {
      // The client retries, but an operator must see it (replicas that lag or are gone).
      logger.warn({ err: error, requestId: id, path: c.req.path }, 'request failed; retryable');
    }
    return errorResponse(c, error, id);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await Promise.race([
        store.ping(),
        new Promise((_, reject) => setTimeout(reject, READY_TIMEOUT_MS, new Error('timeout'))),
      ]);
      return c.json({ status: 'ready' });
    } catch {
      return c.json({ status: 'unavailable', reason: 'Redis is unreachable' }, 503);
    }
  });

  if (config.corsOrigins.length > 0) app.use('/api/chat/*', chatCors(config.corsOrigins));
  app.route('/api/chat', chatRoutes(dependencies));
  app.route('/v1', sessionRoutes(dependencies));
  if (config.isPlaygroundEnabled) app.route('/playground', playgroundRoutes(dependencies));
  if (config.staticDirectory) app.use('/*', serveStatic({ root: config.staticDirectory }));

  app.notFound((c) =>
    c.json(
      {
        error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` },
        requestId: c.get('requestId'),
      },
      404,
    ),
  );
  return app;
}
