import {
  type DynamicToolUIPart,
  getToolName,
  isToolUIPart,
  type ToolUIPart,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';

type MessagePart = UIMessage['parts'][number];
type ToolPart = ToolUIPart | DynamicToolUIPart;
/** The steps of a tool call's life, in the order a stream reports them. */
type ToolStage = 'input' | 'approval-request' | 'approval-response' | 'output';

/**
 * The UI message chunks that rebuild `message` on a client (`start`, its parts, `finish`): what a
 * turn streams, for answering from the checkpoint once the turn's own chunks are gone from the
 * output stream. The AI SDK's `readUIMessageStream` turns them back into `message`, except for
 * what no chunk carries (a file part's `filename` and `providerReference`).
 *
 * With `continued`, the same assistant message as the client sent it back (tool approvals or
 * client-side tool outputs), the chunks carry only what the message gained since: the next stages
 * of its tool calls and its new parts, as the turn that continued it streamed them.
 *
 * @example
 * const chunks = uiMessageChunks(persistedAnswer);
 * // [{ type: 'start', messageId: persistedAnswer.id }, { type: 'start-step' }, ..., { type: 'finish' }]
 */
export function uiMessageChunks(message: UIMessage, continued?: UIMessage): UIMessageChunk[] {
  const chunks: UIMessageChunk[] = [
    {
      type: 'start',
      messageId: message.id,
      ...(message.metadata !== undefined ? { messageMetadata: message.metadata } : {}),
    },
  ];
  const keptCount = continued ? Math.min(continued.parts.length, message.parts.length) : 0;
  for (let index = 0; index < keptCount; index += 1) {
    const part = message.parts[index];
    const before = continued?.parts[index];
    if (part && before && isToolUIPart(part) && isToolUIPart(before)) {
      const stagesBefore = new Set(toolChunks(before).map(({ stage }) => stage));
      for (const { stage, chunk } of toolChunks(part)) {
        if (!stagesBefore.has(stage)) chunks.push(chunk);
      }
    }
  }
  let isStepOpen = false;
  for (let index = keptCount; index < message.parts.length; index += 1) {
    const part = message.parts[index];
    if (!part) continue;
    if (part.type === 'step-start') {
      if (isStepOpen) chunks.push({ type: 'finish-step' });
      chunks.push({ type: 'start-step' });
      isStepOpen = true;
      continue;
    }
    chunks.push(...partChunks(part, index));
  }
  if (isStepOpen) chunks.push({ type: 'finish-step' });
  chunks.push({ type: 'finish' });
  return chunks;
}

/** The chunks of one part; `index` names the text and reasoning parts, which carry no id. */
function partChunks(part: MessagePart, index: number): UIMessageChunk[] {
  if (isToolUIPart(part)) return toolChunks(part).map(({ chunk }) => chunk);
  if (part.type.startsWith('data-')) {
    const { type, id, data } = part as { type: `data-${string}`; id?: string; data: unknown };
    return [{ type, ...(id !== undefined ? { id } : {}), data }];
  }
  switch (part.type) {
    case 'text': {
      const id = `text-${index}`;
      return [
        { type: 'text-start', id, ...withProviderMetadata(part.providerMetadata) },
        ...(part.text !== '' ? [{ type: 'text-delta' as const, id, delta: part.text }] : []),
        // A part still streaming when its turn was cut short stays open, as the client saw it.
        ...(part.state === 'streaming'
          ? []
          : [
              {
                type: 'text-end' as const,
                id,
                ...(part.citations !== undefined ? { citations: part.citations } : {}),
              },
            ]),
      ];
    }
    case 'reasoning': {
      const id = part.id ?? `reasoning-${index}`;
      return [
        { type: 'reasoning-start', id, ...withProviderMetadata(part.providerMetadata) },
        ...(part.text !== '' ? [{ type: 'reasoning-delta' as const, id, delta: part.text }] : []),
        ...(part.state === 'streaming' ? [] : [{ type: 'reasoning-end' as const, id }]),
      ];
    }
    case 'custom':
      return [{ type: 'custom', kind: part.kind, ...withProviderMetadata(part.providerMetadata) }];
    case 'file':
    case 'reasoning-file':
      return [
        {
          type: part.type,
          url: part.url,
          mediaType: part.mediaType,
          ...withProviderMetadata(part.providerMetadata),
        },
      ];
    case 'source-url':
      return [
        {
          type: 'source-url',
          sourceId: part.sourceId,
          url: part.url,
          ...(part.title !== undefined ? { title: part.title } : {}),
          ...withProviderMetadata(part.providerMetadata),
        },
      ];
    case 'source-document':
      return [
        {
          type: 'source-document',
          sourceId: part.sourceId,
          mediaType: part.mediaType,
          title: part.title,
          ...(part.filename !== undefined ? { filename: part.filename } : {}),
          ...withProviderMetadata(part.providerMetadata),
        },
      ];
    case 'steering-message':
      return [{ type: 'steering-message', id: part.id, parts: part.parts }];
    default:
      // A part type this gateway does not know yet: skipping it beats failing the whole answer.
      return [];
  }
}

/** A tool call's chunks, each with the stage it reports, from its input to its output. */
function toolChunks(part: ToolPart): { stage: ToolStage; chunk: UIMessageChunk }[] {
  const { toolCallId } = part;
  const isDynamic = part.type === 'dynamic-tool';
  const described = {
    toolCallId,
    toolName: getToolName(part),
    ...(isDynamic ? { dynamic: true } : {}),
    ...(part.providerExecuted !== undefined ? { providerExecuted: part.providerExecuted } : {}),
    ...(part.title !== undefined ? { title: part.title } : {}),
    ...(part.toolMetadata !== undefined ? { toolMetadata: part.toolMetadata } : {}),
    ...withProviderMetadata(part.callProviderMetadata),
  };
  if (part.state === 'input-streaming') {
    return [
      {
        stage: 'input',
        chunk: {
          type: 'tool-input-start',
          ...described,
          ...(part.inputEncoding !== undefined ? { inputEncoding: part.inputEncoding } : {}),
        },
      },
      ...(part.rawInput
        ? [
            {
              stage: 'input' as const,
              chunk: {
                type: 'tool-input-delta' as const,
                toolCallId,
                inputTextDelta: part.rawInput,
              },
            },
          ]
        : []),
    ];
  }
  const chunks: { stage: ToolStage; chunk: UIMessageChunk }[] = [
    { stage: 'input', chunk: { type: 'tool-input-available', ...described, input: part.input } },
  ];
  const { approval } = part;
  if (approval) {
    chunks.push({
      stage: 'approval-request',
      chunk: {
        type: 'tool-approval-request',
        approvalId: approval.id,
        toolCallId,
        ...(approval.descriptor !== undefined ? { approvalDescriptor: approval.descriptor } : {}),
        ...('inputSchemaInput' in approval ? { inputSchemaInput: approval.inputSchemaInput } : {}),
        ...(approval.requestReason !== undefined ? { reason: approval.requestReason } : {}),
        ...(approval.isAutomatic === true ? { isAutomatic: true } : {}),
        ...(approval.signature !== undefined ? { signature: approval.signature } : {}),
      },
    });
    if (approval.approved !== undefined) {
      chunks.push({
        stage: 'approval-response',
        chunk: {
          type: 'tool-approval-response',
          approvalId: approval.id,
          approved: approval.approved,
          ...(approval.reason !== undefined ? { reason: approval.reason } : {}),
        },
      });
    }
  }
  const result = {
    toolCallId,
    ...(isDynamic ? { dynamic: true } : {}),
    ...(part.providerExecuted !== undefined ? { providerExecuted: part.providerExecuted } : {}),
  };
  if (part.state === 'output-available') {
    chunks.push({
      stage: 'output',
      chunk: {
        type: 'tool-output-available',
        ...result,
        output: part.output,
        ...(part.preliminary !== undefined ? { preliminary: part.preliminary } : {}),
        ...withProviderMetadata(part.resultProviderMetadata),
      },
    });
  } else if (part.state === 'output-error') {
    chunks.push({
      stage: 'output',
      chunk: {
        type: 'tool-output-error',
        ...result,
        errorText: part.errorText,
        ...withProviderMetadata(part.resultProviderMetadata),
      },
    });
  } else if (part.state === 'output-denied') {
    chunks.push({ stage: 'output', chunk: { type: 'tool-output-denied', toolCallId } });
  }
  return chunks;
}

function withProviderMetadata<Metadata>(providerMetadata: Metadata | undefined) {
  return providerMetadata !== undefined ? { providerMetadata } : {};
}
