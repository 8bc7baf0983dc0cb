import { z } from 'zod';
import { agentIdSchema } from './chat-id.ts';

/**
 * A worker's registration in Redis (a JSON string with a TTL, refreshed while the worker lives):
 * the agents it hosts and their versions, which `GET /v1/agents` lists over the live workers.
 */
export const workerRegistrationSchema = z.object({
  workerId: z.string().min(1),
  agents: z.array(z.object({ id: agentIdSchema, version: z.string() })),
  /** When the worker started (ms epoch). */
  startedAt: z.number(),
});
export type WorkerRegistration = z.infer<typeof workerRegistrationSchema>;
