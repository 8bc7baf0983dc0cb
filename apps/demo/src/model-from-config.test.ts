import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoConfig } from './config.ts';
import { modelFromConfig } from './model-from-config.ts';

// BATON_MODEL=openai:<model> goes through @ai-sdk/openai's Chat Completions client, here against
// a local OpenAI-compatible server (OPENAI_BASE_URL), so the provider path runs offline.

let server: Server;
let baseUrl: string;
const requests: { authorization: string | undefined; body: { model: string; stream: boolean } }[] =
  [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

/** Answers a Chat Completions request with a streamed text. */
async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = JSON.parse(await readBody(request));
  requests.push({ authorization: request.headers.authorization, body });
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const content of ['Hello', ' from', ' the fake']) {
    const chunk = { choices: [{ index: 0, delta: { content }, finish_reason: null }] };
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  response.write(
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
  );
  response.write('data: [DONE]\n\n');
  response.end();
}

afterAll(() => {
  server.close();
});

describe('modelFromConfig', () => {
  it('streams from an OpenAI-compatible server when BATON_MODEL names an OpenAI model', async () => {
    const config = loadDemoConfig({
      BATON_MODEL: 'openai:gpt-test',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: baseUrl,
    });
    const result = streamText({ model: modelFromConfig(config), prompt: 'hi' });
    expect(await result.text).toBe('Hello from the fake');
    expect(requests).toEqual([
      {
        authorization: 'Bearer test-key',
        body: expect.objectContaining({ model: 'gpt-test', stream: true }),
      },
    ]);
  });

  it('uses the offline demo model by default and refuses OpenAI without a key', async () => {
    const model = modelFromConfig(loadDemoConfig({ BATON_DEMO_DELAY_MS: '0' }));
    expect(model.provider).toBe('baton');
    expect(() => loadDemoConfig({ BATON_MODEL: 'openai:gpt-test' })).toThrow(/OPENAI_API_KEY/);
    expect(() => loadDemoConfig({ BATON_MODEL: 'claude' })).toThrow(/BATON_MODEL/);
  });
});
