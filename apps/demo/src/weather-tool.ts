import { tool } from 'ai';
import { z } from 'zod';

/** A fake forecast: the same city always gets the same weather, so demos and tests are stable. */
export type WeatherReport = { city: string; temperatureC: number; condition: string };

const CONDITIONS = ['sunny', 'partly cloudy', 'cloudy', 'rainy', 'windy', 'foggy'] as const;
const MINIMUM_TEMPERATURE_C = -5;
const TEMPERATURE_RANGE_C = 36;

/**
 * The demo agents' only tool. Offline and deterministic: the weather is derived from a hash of the
 * city name, not fetched.
 */
export const getWeather = tool({
  description: 'Get the current weather in a city.',
  inputSchema: z.object({ city: z.string().describe('The city, e.g. "Paris".') }),
  execute: ({ city }): WeatherReport => forecast(city),
});

/** The tools of the demo agents, to pass as `tools` to `streamText` or an agent. */
export const demoTools = { getWeather };

function forecast(city: string): WeatherReport {
  const hash = hashOf(city.trim().toLowerCase());
  const condition = CONDITIONS[(hash >>> 8) % CONDITIONS.length] ?? 'sunny';
  return {
    city: city.trim(),
    temperatureC: MINIMUM_TEMPERATURE_C + (hash % TEMPERATURE_RANGE_C),
    condition,
  };
}

/** 32-bit FNV-1a: tiny, stable across runs and platforms, and spreads similar names apart. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (const character of text) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
