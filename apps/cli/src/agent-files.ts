/** The line a worker logs with the files its agent modules loaded (`BATON_REPORT_AGENT_FILES`). */
const REPORT_PATTERN = /"msg":"agent files loaded"/;

/**
 * The project files the workers' agents loaded, as the latest worker to start reported them:
 * every worker loads the same modules, and after a reload the newest report is the code that runs.
 */
export class AgentFiles {
  #latest: readonly string[] = [];

  get latest(): readonly string[] {
    return this.#latest;
  }

  /** Takes a worker's output line; returns the reported files when it is a report. */
  readReport(line: string): readonly string[] | undefined {
    if (!REPORT_PATTERN.test(line)) return undefined;
    try {
      const { files } = JSON.parse(line) as { files?: unknown };
      if (!Array.isArray(files) || !files.every((file) => typeof file === 'string')) {
        return undefined;
      }
      this.#latest = files;
      return files;
    } catch {
      return undefined;
    }
  }
}
