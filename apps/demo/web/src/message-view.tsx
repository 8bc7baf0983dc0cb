import {
  type ChatAddToolApproveResponseFunction,
  type DynamicToolUIPart,
  getToolName,
  isToolUIPart,
  type ToolUIPart,
  type UIMessage,
} from 'ai';

/** `useChat`'s `addToolApprovalResponse`, or undefined while a turn streams. */
type ApprovalResponder = ChatAddToolApproveResponseFunction | undefined;

/** One message: a role label and its text, reasoning and tool parts. */
export function MessageView({
  message,
  onApprovalResponse,
}: {
  message: UIMessage;
  onApprovalResponse: ApprovalResponder;
}) {
  return (
    <li className={`message message-${message.role}`} data-testid={`message-${message.role}`}>
      <span className="role">{message.role === 'user' ? 'You' : message.role}</span>
      {message.parts.map((part, index) => {
        // Parts have no id of their own; their order within a message never changes.
        const key = `${message.id}-${index}`;
        if (part.type === 'text') {
          return (
            <p key={key} className="text">
              {part.text}
            </p>
          );
        }
        if (part.type === 'reasoning') {
          return (
            <details key={key} className="reasoning">
              <summary>Reasoning</summary>
              <p className="text">{part.text}</p>
            </details>
          );
        }
        if (isToolUIPart(part)) {
          return <ToolPartView key={key} part={part} onApprovalResponse={onApprovalResponse} />;
        }
        return null;
      })}
    </li>
  );
}

/**
 * A tool call in one line of input and one of output, e.g. `getWeather {"city":"Paris"}`; a call
 * waiting for the user's approval shows why, with Approve and Deny.
 */
function ToolPartView({
  part,
  onApprovalResponse,
}: {
  part: ToolUIPart | DynamicToolUIPart;
  onApprovalResponse: ApprovalResponder;
}) {
  const name = getToolName(part);
  return (
    <div className="tool" data-testid={`tool-${name}`}>
      <div className="tool-call">
        <span className="tool-name">{name}</span>
        <code>{formatJson(part.input)}</code>
        <span className="tool-state">{part.state}</span>
      </div>
      {part.state === 'output-available' && (
        <div className="tool-result">
          → <code>{formatJson(part.output)}</code>
        </div>
      )}
      {part.state === 'output-error' && <div className="tool-result error">{part.errorText}</div>}
      {part.state === 'approval-requested' && (
        <div className="tool-approval">
          <span>{part.approval.requestReason ?? 'This call needs your approval.'}</span>
          <button
            type="button"
            className="approve"
            disabled={onApprovalResponse === undefined}
            onClick={() => void onApprovalResponse?.({ id: part.approval.id, approved: true })}
          >
            Approve
          </button>
          <button
            type="button"
            disabled={onApprovalResponse === undefined}
            onClick={() => void onApprovalResponse?.({ id: part.approval.id, approved: false })}
          >
            Deny
          </button>
        </div>
      )}
      {part.state === 'approval-responded' && (
        <div className="tool-result">{part.approval.approved ? 'approved' : 'denied'}</div>
      )}
      {part.state === 'output-denied' && <div className="tool-result">denied</div>}
    </div>
  );
}

function formatJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}
