import type { ProcessSetting } from '@baton/protocol';
import { type Command, Option } from 'commander';

/**
 * Adds one option per setting to `command`: `--port <port>` documented with its variable
 * (`(env: PORT)` in the help), so every setting of a Baton process is a flag and a variable.
 */
export function addSettingOptions(command: Command, settings: readonly ProcessSetting[]): Command {
  for (const setting of settings) {
    const flags =
      setting.value === undefined ? `--${setting.flag}` : `--${setting.flag} ${setting.value}`;
    command.addOption(new Option(flags, setting.description).env(setting.env));
  }
  return command;
}

/**
 * The environment a Baton process runs with: `environment`, with every setting given on the
 * command line written under its variable's name. The processes read their settings from the
 * environment alone and validate them there, so a flag and its variable behave the same, and a
 * flag wins over the variable.
 */
export function settingsEnvironment(
  command: Command,
  settings: readonly ProcessSetting[],
  environment: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...environment };
  const options = new Map(command.options.map((option) => [option.long, option]));
  for (const setting of settings) {
    const option = options.get(`--${setting.flag}`);
    if (option === undefined) continue;
    const name = option.attributeName();
    if (command.getOptionValueSource(name) !== 'cli') continue;
    result[setting.env] = environmentValue(command.getOptionValue(name));
  }
  return result;
}

function environmentValue(value: unknown): string {
  if (value === true) return '1';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * A configuration error as the command line's user reads it: each setting it names is shown as
 * its flag and its variable (`--workers (BATON_WORKERS) must be...`), whichever of the two was
 * used. The processes themselves only know the variables.
 */
export function withFlags(message: string, settings: readonly ProcessSetting[]): string {
  let result = message;
  for (const setting of settings) {
    result = result.replace(
      new RegExp(`(?<![\\w-])${setting.env}(?![\\w(])`),
      `--${setting.flag} (${setting.env})`,
    );
  }
  return result;
}
