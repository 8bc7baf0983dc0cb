import type { ToolApprovalConfiguration } from 'ai';
import { bookTable } from './book-table-tool.ts';
import { getWeather } from './weather-tool.ts';

/** The tools of the demo agents, to pass as `tools` to `streamText` or an agent. */
export const demoTools = { getWeather, bookTable };

/**
 * Which demo tools wait for the user's approval, to pass as `toolApproval` to `streamText`: a
 * booking does. AI SDK 7 configures approval per call rather than with the deprecated
 * `tool({ needsApproval })`; the reason is shown to the approver.
 */
export const demoToolApproval = {
  bookTable: { type: 'user-approval', reason: 'Booking a table needs your approval.' },
} satisfies ToolApprovalConfiguration<typeof demoTools, unknown>;
