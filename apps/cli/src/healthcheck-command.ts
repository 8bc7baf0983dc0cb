/** How long the probe may take: a container runtime's own timeout is usually longer. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The probe of a container's `HEALTHCHECK`: a worker's health server when it has one
 * (`BATON_HEALTH_PORT`), else the gateway's port (`PORT`, default 3000), on this host.
 */
export function defaultProbeUrl(environment: NodeJS.ProcessEnv): string {
  const port = environment.BATON_HEALTH_PORT || environment.PORT || '3000';
  return `http://127.0.0.1:${port}/readyz`;
}

/**
 * `baton healthcheck [url]`: 0 when `url` answers 2xx within 3 s, else 1 with the reason on
 * stderr. Node images carry no curl; this is the `HEALTHCHECK` of infra/Containerfile.
 */
export async function runHealthcheck(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = await response.text();
    if (response.ok) return 0;
    console.error(`${url}: ${response.status} ${body}`);
  } catch (error) {
    console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return 1;
}
