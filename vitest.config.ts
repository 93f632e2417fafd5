import { defineConfig } from 'vitest/config';

// Forks, not threads: node-pty and tree-sitter are native addons that are not safe to load in
// several worker threads of one process.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/support/v8.ts', 'test/support/fast-check.ts'],
    globalSetup: ['test/support/tmpdir.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
