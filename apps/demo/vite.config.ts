import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The gateway that `pnpm start` runs; the dev server forwards every API route to it. */
const GATEWAY_URL = 'http://localhost:3000';

/**
 * The web playground. `root` is resolved from this file rather than from the working directory,
 * so `vite build` works from anywhere; `outDir` is relative to `root`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('web', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': GATEWAY_URL,
      '/playground': GATEWAY_URL,
      '/v1': GATEWAY_URL,
    },
  },
});
