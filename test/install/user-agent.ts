// An agent module of a user's own project, copied into a scratch project outside the repository
// by packed-packages.test.ts and run there against the installed tarballs.
import { chat } from '@baton/sdk';
import { mockChatAgent, scriptedModel } from '@baton/sdk/testing';

const model = scriptedModel(['Hello from an installed Baton.']);
const visits = chat.local<{ count: number }>({ id: 'visits' });

export const assistant = chat.agent({
  id: 'assistant',
  onChatStart: () => visits.init({ count: 0 }),
  run: ({ messages, signal, streamText }) => {
    visits.count += 1;
    return streamText({ model, messages, abortSignal: signal });
  },
});

const harness = mockChatAgent(assistant);
const turn = await harness.sendMessage('hi');
process.stdout.write(
  `${JSON.stringify({ text: turn.text, status: turn.status, node: process.versions.node })}\n`,
);
await harness.close();
