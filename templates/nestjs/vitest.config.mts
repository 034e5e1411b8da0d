import { defineConfig } from 'vitest/config';

// Unit tests: the *.spec.ts files next to the code. `describe`, `it`, `expect` and `vi` are
// globals (tsconfig.json lists vitest/globals). Only src/ is searched, so a build in dist/
// is never collected.
export default defineConfig({
  test: {
    globals: true,
    include: ['src/**/*.spec.ts'],
    environment: 'node',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/main.ts', 'src/**/*.spec.ts', 'src/database/**'],
      reportsDirectory: 'coverage',
    },
  },
});
