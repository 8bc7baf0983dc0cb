import { tool } from 'ai';
import { z } from 'zod';
import { stableHash } from './stable-hash.ts';

/** A fake forecast: the same city always gets the same weather, so demos and tests are stable. */
export type WeatherReport = { city: string; temperatureC: number; condition: string };

const CONDITIONS = ['sunny', 'partly cloudy', 'cloudy', 'rainy', 'windy', 'foggy'] as const;
const MINIMUM_TEMPERATURE_C = -5;
const TEMPERATURE_RANGE_C = 36;

/**
 * The demo agents' weather tool. Offline and deterministic: the weather is derived from a hash of
 * the city name, not fetched.
 */
export const getWeather = tool({
  description: 'Get the current weather in a city.',
  inputSchema: z.object({ city: z.string().describe('The city, e.g. "Paris".') }),
  execute: ({ city }): WeatherReport => forecast(city),
});

function forecast(city: string): WeatherReport {
  const hash = stableHash(city.trim().toLowerCase());
  const condition = CONDITIONS[(hash >>> 8) % CONDITIONS.length] ?? 'sunny';
  return {
    city: city.trim(),
    temperatureC: MINIMUM_TEMPERATURE_C + (hash % TEMPERATURE_RANGE_C),
    condition,
  };
}
