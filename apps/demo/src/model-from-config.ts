import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import type { DemoConfig } from './config.ts';
import { createDemoModel } from './demo-model.ts';

/**
 * The demo agents' model: the offline demo model by default, or an OpenAI model. OpenAI models
 * use the Chat Completions API (`openai.chat`), which every OpenAI-compatible server implements,
 * unlike the newer Responses API.
 */
export function modelFromConfig(config: DemoConfig): LanguageModelV4 {
  if (config.model === 'demo') return createDemoModel({ delayMs: config.demoDelayMs });
  const openai = createOpenAI({
    ...(config.openaiApiKey ? { apiKey: config.openaiApiKey } : {}),
    ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
  });
  return openai.chat(config.model.slice('openai:'.length));
}
