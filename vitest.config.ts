import { defineConfig } from 'vitest/config';

/**
 * Test projects (STYLE.md "Tests"): unit tests beside the code need no infrastructure; integration
 * tests (`*.int.test.ts`, `test/integration`) and end-to-end tests (`test/e2e`) use a real Redis
 * that each file starts for itself, and real processes; chaos tests (`test/chaos`) kill and freeze
 * those processes.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'packages/*/src/**/*.int.test.ts',
            'apps/*/src/**/*.int.test.ts',
            'test/integration/**/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.chaos.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Packs the public packages and installs them with npm in a project of its own.
          name: 'install',
          include: ['test/install/**/*.test.ts'],
          globalSetup: ['test/install/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          // Builds the images of infra/ with podman and runs the compose stack and the
          // Kubernetes manifests (podman kube play); the files run one after the other.
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
