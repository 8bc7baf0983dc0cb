import { z } from 'zod';
import { chatIdSchema } from './chat-id.ts';

/** The payload of a BullMQ job: "run this chat", for one run sequence. */
export const runJobDataSchema = z.object({
  chatId: chatIdSchema,
  runSeq: z.number().int().positive(),
});
export type RunJobData = z.infer<typeof runJobDataSchema>;

/** BullMQ job ids may contain neither `:` nor be integers; this one is neither. */
export function runJobId(data: RunJobData): string {
  return `run-${data.chatId}-${data.runSeq}`;
}

export const RUN_JOB_NAME = 'run';

/** The BullMQ queue of one agent's runs: workers consume only the queues of agents they host. */
export function runQueueName(agentId: string): string {
  return `runs-${agentId}`;
}
