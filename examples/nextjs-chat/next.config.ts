import type { NextConfig } from 'next';

const config: NextConfig = {
  // The app runs on its own; `next build` must not look for a workspace root above it.
  outputFileTracingRoot: import.meta.dirname,
};

export default config;
