import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where everything `baton dev` runs and serves lives. Resolved through the packages' `exports`,
 * so one launcher works in both of its homes: this repository, where `@baton/gateway/main`
 * resolves to `src/main.ts` (run with Node's type stripping) and the playground is built from its
 * sources when stale; and a user's `node_modules`, where it resolves to `dist/main.js` and the
 * playground ships built inside `@baton/demo`.
 */
export type CliPaths = {
  gatewayEntry: string;
  workerEntry: string;
  /** The demo agents, hosted when `baton dev` is given no `--agents`. */
  demoAgents: string;
  /** The built playground that the gateway serves at `/`. */
  playgroundOutput: string;
  /** Present in a source checkout only: what to build the playground from. */
  playgroundBuild: PlaygroundBuild | undefined;
};

/** The playground's sources and the Vite that builds them (a source checkout only). */
export type PlaygroundBuild = {
  demoDirectory: string;
  /** Checked for changes since the last build. */
  sources: string[];
  viteBinary: string;
};

/** The paths of this installation of `@baton/cli`. */
export function cliPaths(): CliPaths {
  const demoAgents = resolveModule('@baton/demo/agents');
  const demoDirectory = packageDirectory(demoAgents);
  const viteBinary = join(demoDirectory, 'node_modules', 'vite', 'bin', 'vite.js');
  const isSourceCheckout = demoAgents.endsWith('.ts') && existsSync(viteBinary);
  return {
    gatewayEntry: resolveModule('@baton/gateway/main'),
    workerEntry: resolveModule('@baton/worker/main'),
    demoAgents,
    playgroundOutput: join(demoDirectory, 'dist', 'web'),
    playgroundBuild: isSourceCheckout ? playgroundBuild(demoDirectory, viteBinary) : undefined,
  };
}

/** The build of the playground in a checkout rooted at `demoDirectory`'s repository. */
export function playgroundBuild(demoDirectory: string, viteBinary: string): PlaygroundBuild {
  const repositoryRoot = join(demoDirectory, '..', '..');
  return {
    demoDirectory,
    // The page bundles @baton/client and is shaped by the Vite config: a change to either makes
    // the built page stale as surely as an edit under web/.
    sources: [
      join(demoDirectory, 'web'),
      join(demoDirectory, 'vite.config.ts'),
      join(repositoryRoot, 'packages', 'client', 'src'),
    ],
    viteBinary,
  };
}

function resolveModule(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

/** The nearest directory above `file` that holds a `package.json`. */
function packageDirectory(file: string): string {
  let directory = dirname(file);
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${file}`);
    directory = parent;
  }
  return directory;
}
