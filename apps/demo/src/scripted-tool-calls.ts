import type { LanguageModelV4ToolResultOutput } from '@ai-sdk/provider';

/**
 * How the offline demo model uses each demo tool, the way a real model would read the tool's
 * description: when a message asks for it, the input it takes from the message, and the sentence
 * it makes of the tool's result. Kept apart from the model's streaming so that a new demo tool is
 * one entry here.
 */
type ToolScript = {
  toolName: string;
  isAskedFor: (message: string) => boolean;
  /** A flat object of strings and numbers: the model streams it as JSON, word by word. */
  inputOf: (message: string) => Record<string, string | number>;
  describeResult: (output: LanguageModelV4ToolResultOutput, message: string) => string;
};

const DEFAULT_CITY = 'Paris';
const DEFAULT_RESTAURANT = 'Baton Bistro';
const DEFAULT_GUESTS = 2;
const DEFAULT_TIME = '19:30';
/** A capitalized name of one or more words, e.g. "Berlin" or "Chez Marie". */
const NAME = String.raw`\p{Lu}[\p{L}\p{M}'’-]*(?:\s+\p{Lu}[\p{L}\p{M}'’-]*)*`;

const weatherScript: ToolScript = {
  toolName: 'getWeather',
  isAskedFor: (message) => /weather/i.test(message),
  inputOf: (message) => ({ city: cityOf(message) }),
  describeResult: (output, message) => describeWeather(output, cityOf(message)),
};

const bookingScript: ToolScript = {
  toolName: 'bookTable',
  isAskedFor: (message) => /\bbook\b/i.test(message),
  inputOf: (message) => ({
    restaurant:
      new RegExp(String.raw`\bat\s+(${NAME})`, 'u').exec(message)?.[1] ?? DEFAULT_RESTAURANT,
    guests: Number(/\bfor\s+(\d+)/i.exec(message)?.[1] ?? DEFAULT_GUESTS),
    time: /\bat\s+(\d{1,2}(?::\d{2})?(?:\s*[ap]m)?)(?!\w)/i.exec(message)?.[1] ?? DEFAULT_TIME,
  }),
  describeResult: describeBooking,
};

/** In order of precedence: a message about the weather and a booking gets the weather. */
const SCRIPTS: readonly ToolScript[] = [weatherScript, bookingScript];

/** The demo tool a message asks for, among those offered, with its input as JSON text. */
export function scriptedToolCall(
  message: string,
  offeredToolNames: ReadonlySet<string>,
): { toolName: string; input: string } | undefined {
  const script = SCRIPTS.find(
    (candidate) => offeredToolNames.has(candidate.toolName) && candidate.isAskedFor(message),
  );
  return script && { toolName: script.toolName, input: spacedJson(script.inputOf(message)) };
}

/** The sentence the model makes of a demo tool's result, or undefined for another tool. */
export function describeToolResult(
  toolName: string,
  output: LanguageModelV4ToolResultOutput,
  message: string,
): string | undefined {
  return SCRIPTS.find((script) => script.toolName === toolName)?.describeResult(output, message);
}

/** The city of "in Berlin": the capitalized word after " in ", so "in the morning" is skipped. */
function cityOf(message: string): string {
  return /\bin\s+(\p{Lu}[\p{L}\p{M}'-]*)/u.exec(message)?.[1] ?? DEFAULT_CITY;
}

function describeWeather(output: LanguageModelV4ToolResultOutput, fallbackCity: string): string {
  const value = resultValue(output);
  if (isWeatherReport(value)) {
    const city = typeof value.city === 'string' ? value.city : fallbackCity;
    return `The weather in ${city} is ${value.condition}, ${value.temperatureC} °C.`;
  }
  return `The weather in ${fallbackCity} is ${summaryOf(output)}.`;
}

/** A denial is the user's answer, not an error: the reply says nothing was booked, and why. */
function describeBooking(output: LanguageModelV4ToolResultOutput): string {
  if (output.type === 'execution-denied') {
    const reason = output.reason ? ` (${output.reason})` : '';
    return `You denied the booking${reason}, so no table was booked.`;
  }
  const value = resultValue(output);
  if (isBooking(value)) {
    return `Your table for ${value.guests} at ${value.restaurant} at ${value.time} is booked, confirmation ${value.confirmation}.`;
  }
  return `The booking answered ${summaryOf(output)}.`;
}

function isWeatherReport(
  value: unknown,
): value is { city?: unknown; temperatureC: number; condition: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'temperatureC' in value &&
    typeof value.temperatureC === 'number' &&
    'condition' in value &&
    typeof value.condition === 'string'
  );
}

function isBooking(
  value: unknown,
): value is { restaurant: string; guests: number; time: string; confirmation: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'confirmation' in value &&
    typeof value.confirmation === 'string' &&
    'restaurant' in value &&
    'guests' in value &&
    'time' in value
  );
}

/** A JSON result, or one sent as text (some providers turn tool results into strings). */
function resultValue(output: LanguageModelV4ToolResultOutput): unknown {
  if (output.type === 'json') return output.value;
  if (output.type === 'text') return parseJson(output.value);
  return null;
}

function summaryOf(output: LanguageModelV4ToolResultOutput): string {
  if (output.type === 'text') return output.value;
  if (output.type === 'json') return JSON.stringify(output.value);
  return 'unknown';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `{"city": "Berlin"}`: a space after each separator, so the input streams in several deltas. */
function spacedJson(value: Record<string, string | number>): string {
  const fields = Object.entries(value).map(
    ([key, field]) => `${JSON.stringify(key)}: ${JSON.stringify(field)}`,
  );
  return `{${fields.join(', ')}}`;
}
