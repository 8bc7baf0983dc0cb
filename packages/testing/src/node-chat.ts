import { AbstractChat, type ChatInit, type ChatState, type ChatStatus, type UIMessage } from 'ai';

/**
 * The stock AI SDK `AbstractChat` with a plain in-memory state: `useChat` without React, for
 * driving the gateway from Node exactly as a browser does.
 */
export class NodeChat<Message extends UIMessage = UIMessage> extends AbstractChat<Message> {
  constructor(init: ChatInit<Message>) {
    super({ ...init, state: new NodeChatState<Message>(init.messages ?? []) });
  }
}

class NodeChatState<Message extends UIMessage> implements ChatState<Message> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  messages: Message[];

  constructor(messages: Message[]) {
    this.messages = messages;
  }

  pushMessage = (message: Message) => {
    this.messages = [...this.messages, message];
  };

  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };

  replaceMessage = (index: number, message: Message) => {
    this.messages = this.messages.map((existing, position) =>
      position === index ? message : existing,
    );
  };

  snapshot = <T>(value: T): T => structuredClone(value);
}

/** The text of a message's text parts, joined. */
export function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}
