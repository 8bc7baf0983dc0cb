import { fileURLToPath } from 'node:url';

/** Where everything `baton dev` runs and builds lives, resolved from this file, not the cwd. */
export type RepositoryPaths = {
  root: string;
  gatewayEntry: string;
  workerEntry: string;
  demoAgents: string;
  demoDirectory: string;
  /** The playground's sources, checked for changes since the last build. */
  playgroundSources: string[];
  /** The built playground that the gateway serves at `/`. */
  playgroundOutput: string;
  viteBinary: string;
  /** The working directory of the Redis that `baton dev` starts (gitignored). */
  redisDirectory: string;
};

/** The paths of this checkout: the launcher runs the apps from source, beside it. */
export function repositoryPaths(
  root = fileURLToPath(new URL('../../../', import.meta.url)),
): RepositoryPaths {
  const demoDirectory = `${root}apps/demo`;
  return {
    root,
    gatewayEntry: `${root}apps/gateway/src/main.ts`,
    workerEntry: `${root}apps/worker/src/main.ts`,
    demoAgents: `${root}apps/demo/src/agents.ts`,
    demoDirectory,
    // The page bundles @baton/client and is shaped by the Vite config: a change to either makes
    // the built page stale as surely as an edit under web/.
    playgroundSources: [
      `${demoDirectory}/web`,
      `${demoDirectory}/vite.config.ts`,
      `${root}packages/client/src`,
    ],
    playgroundOutput: `${demoDirectory}/dist/web`,
    viteBinary: `${demoDirectory}/node_modules/vite/bin/vite.js`,
    redisDirectory: `${root}.baton/redis`,
  };
}
