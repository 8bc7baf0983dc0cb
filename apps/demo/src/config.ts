import { parseEnvironment } from '@baton/protocol';
import { z } from 'zod';

const environmentSchema = z.object({
  BATON_MODEL: z
    .string()
    .regex(/^(demo|openai:.+)$/, 'BATON_MODEL must be "demo" or "openai:<model id>"')
    .default('demo'),
  BATON_DEMO_DELAY_MS: z.coerce.number().int().nonnegative().default(20),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
});

export type DemoConfig = {
  /** `demo` (the offline model) or `openai:<model id>`. */
  model: string;
  demoDelayMs: number;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
};

/** Parses the demo agents' environment once. */
export function loadDemoConfig(environment: NodeJS.ProcessEnv): DemoConfig {
  const env = parseEnvironment(environmentSchema, environment, 'demo');
  if (env.BATON_MODEL.startsWith('openai:') && !env.OPENAI_API_KEY) {
    throw new Error(`BATON_MODEL=${env.BATON_MODEL} needs OPENAI_API_KEY`);
  }
  return Object.freeze({
    model: env.BATON_MODEL,
    demoDelayMs: env.BATON_DEMO_DELAY_MS,
    openaiApiKey: env.OPENAI_API_KEY,
    openaiBaseUrl: env.OPENAI_BASE_URL,
  });
}
