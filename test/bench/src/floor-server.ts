import type { Server } from 'node:http';
import { createDemoModel } from '@baton/demo/model';
import { serve } from '@hono/node-server';
import {
  convertToModelMessages,
  createUIMessageStreamResponse,
  streamText,
  toUIMessageStream,
  type UIMessage,
} from 'ai';
import { Hono } from 'hono';

// The floor of the benchmark (test/bench/README.md): the demo model streamed straight from a Hono handler, no Redis
// and no worker. It runs as its own process (started by main.ts) so that its event loop is not the
// measuring client's, just as Baton's gateway and worker are not.

const port = Number(process.env.PORT);
const delayMs = Number(process.env.BENCH_DEMO_DELAY_MS ?? '20');
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(delayMs) || delayMs < 0) {
  throw new Error('floor-server needs PORT and BENCH_DEMO_DELAY_MS (non-negative integers)');
}
const model = createDemoModel({ delayMs });

const app = new Hono();
app.get('/healthz', (c) => c.json({ ok: true }));
// The same slim body Baton's gateway takes: `{ id, message }`. Only that message reaches the
// model, as turn 1, so every reply is `Turn 1: you said "<message>". I have seen 1 user messages.`
app.post('/api/chat', async (c) => {
  const body = (await c.req.json()) as { id: string; message: UIMessage };
  const result = streamText({
    model,
    messages: await convertToModelMessages([body.message]),
    providerOptions: { demo: { turn: 1 } },
  });
  return createUIMessageStreamResponse({ stream: toUIMessageStream({ stream: result.stream }) });
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`floor listening on ${info.port} (delay ${delayMs} ms)`);
}) as Server;

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
