import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type PackedPackage, packPublicPackages } from './packed-workspace.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Every public package, built and packed once for the install project's test files. */
    packedPackages: PackedPackage[];
  }
}

/** Packs the public packages once for the whole install project; removes them afterwards. */
export default async function setup(project: TestProject): Promise<() => void> {
  const packs = mkdtempSync(join(tmpdir(), 'baton-packs-'));
  project.provide('packedPackages', await packPublicPackages(packs));
  return () => rmSync(packs, { recursive: true, force: true });
}
