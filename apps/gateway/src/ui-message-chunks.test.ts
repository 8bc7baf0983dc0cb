import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { uiMessageChunks } from './ui-message-chunks.ts';

/** What the stock client holds after reading `chunks`, starting from `message` if given. */
async function rebuild(
  chunks: UIMessageChunk[],
  message?: UIMessage,
): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  const onError = (error: unknown) => {
    throw error;
  };
  const options = { stream, onError, ...(message ? { message: structuredClone(message) } : {}) };
  for await (const rebuilt of readUIMessageStream(options)) last = structuredClone(rebuilt);
  return last;
}

/** A turn's stream as the AI SDK writes it: two steps, every kind of part. */
const TURN: UIMessageChunk[] = [
  { type: 'start', messageId: 'assistant-1', messageMetadata: { model: 'demo' } },
  { type: 'start-step' },
  { type: 'reasoning-start', id: 'r1', providerMetadata: { demo: { signature: 's' } } },
  { type: 'reasoning-delta', id: 'r1', delta: 'Thinking ' },
  { type: 'reasoning-delta', id: 'r1', delta: 'hard.' },
  { type: 'reasoning-end', id: 'r1' },
  { type: 'text-start', id: 't1' },
  { type: 'text-delta', id: 't1', delta: 'Let me ' },
  { type: 'text-delta', id: 't1', delta: 'look.' },
  { type: 'text-end', id: 't1' },
  { type: 'tool-input-start', toolCallId: 'call-1', toolName: 'getWeather' },
  { type: 'tool-input-delta', toolCallId: 'call-1', inputTextDelta: '{"city":' },
  { type: 'tool-input-delta', toolCallId: 'call-1', inputTextDelta: '"Lisbon"}' },
  {
    type: 'tool-input-available',
    toolCallId: 'call-1',
    toolName: 'getWeather',
    input: { city: 'Lisbon' },
    title: 'Weather',
  },
  { type: 'tool-output-available', toolCallId: 'call-1', output: { temperatureC: 21 } },
  {
    type: 'tool-input-available',
    toolCallId: 'call-2',
    toolName: 'search',
    input: { query: 'x' },
    dynamic: true,
    providerExecuted: true,
  },
  {
    type: 'tool-output-error',
    toolCallId: 'call-2',
    errorText: 'search is down',
    dynamic: true,
    providerExecuted: true,
  },
  { type: 'tool-input-available', toolCallId: 'call-3', toolName: 'deleteFile', input: { p: 1 } },
  { type: 'tool-approval-request', approvalId: 'approval-3', toolCallId: 'call-3' },
  { type: 'tool-approval-response', approvalId: 'approval-3', approved: false, reason: 'no' },
  { type: 'tool-output-denied', toolCallId: 'call-3' },
  { type: 'finish-step' },
  { type: 'start-step' },
  { type: 'source-url', sourceId: 's1', url: 'https://example.com', title: 'Example' },
  { type: 'source-document', sourceId: 's2', mediaType: 'application/pdf', title: 'Report' },
  { type: 'file', url: 'data:image/png;base64,AAAA', mediaType: 'image/png' },
  { type: 'data-weather', id: 'w1', data: { city: 'Lisbon', status: 'loading' } },
  { type: 'data-weather', id: 'w1', data: { city: 'Lisbon', status: 'done' } },
  { type: 'data-notice', data: 'no id' },
  { type: 'text-start', id: 't2' },
  { type: 'text-delta', id: 't2', delta: 'It is 21 °C in Lisbon.' },
  {
    type: 'text-end',
    id: 't2',
    citations: [{ type: 'source', sourceId: 's1' }] as never,
  },
  { type: 'finish-step' },
  { type: 'finish', finishReason: 'stop' },
];

describe('uiMessageChunks', () => {
  it('rebuilds a whole answer: steps, reasoning, text, tools, sources, files, data', async () => {
    const answer = await rebuild(TURN);
    if (!answer) throw new Error('no message');
    expect(answer.parts.map((part) => part.type)).toContain('dynamic-tool');

    const chunks = uiMessageChunks(answer);

    expect(chunks[0]).toEqual({
      type: 'start',
      messageId: 'assistant-1',
      messageMetadata: { model: 'demo' },
    });
    expect(chunks.at(-1)).toEqual({ type: 'finish' });
    expect(await rebuild(chunks)).toEqual(answer);
  });

  it('rebuilds an answer cut short: an open text part and a tool input still streaming', async () => {
    const answer = await rebuild([
      { type: 'start', messageId: 'assistant-2' },
      { type: 'start-step' },
      { type: 'tool-input-start', toolCallId: 'call-9', toolName: 'getWeather' },
      { type: 'tool-input-delta', toolCallId: 'call-9', inputTextDelta: '{"city":"Os' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'partial' },
    ]);
    if (!answer) throw new Error('no message');

    expect(await rebuild(uiMessageChunks(answer))).toEqual(answer);
  });

  it('gives only what a continued message gained: the tool result and the next step', async () => {
    const asked = await rebuild([
      { type: 'start', messageId: 'assistant-3' },
      { type: 'start-step' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'May I?' },
      { type: 'text-end', id: 't' },
      { type: 'tool-input-available', toolCallId: 'call-4', toolName: 'deleteFile', input: {} },
      { type: 'tool-approval-request', approvalId: 'approval-4', toolCallId: 'call-4' },
      { type: 'finish-step' },
      { type: 'finish' },
    ]);
    if (!asked) throw new Error('no message');
    // The client approves and sends the message back, as `addToolApprovalResponse` does.
    const approved = structuredClone(asked);
    approved.parts = approved.parts.map((part) =>
      part.type === 'tool-deleteFile' && part.state === 'approval-requested'
        ? { ...part, state: 'approval-responded', approval: { ...part.approval, approved: true } }
        : part,
    );
    const continued = await rebuild(
      [
        { type: 'start', messageId: 'assistant-3' },
        { type: 'tool-output-available', toolCallId: 'call-4', output: 'deleted' },
        { type: 'start-step' },
        { type: 'text-start', id: 'u' },
        { type: 'text-delta', id: 'u', delta: 'Done.' },
        { type: 'text-end', id: 'u' },
        { type: 'finish-step' },
        { type: 'finish' },
      ],
      approved,
    );
    if (!continued) throw new Error('no message');

    const chunks = uiMessageChunks(continued, approved);

    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'tool-output-available',
      'start-step',
      'text-start',
      'text-delta',
      'text-end',
      'finish-step',
      'finish',
    ]);
    expect(await rebuild(chunks, approved)).toEqual(continued);
  });
});
