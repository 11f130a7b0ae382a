import { defineConfig } from 'vitest/config';

/**
 * Test files that start child processes or listen on a port: the `e2e` project. Everything else under
 * test/ is `unit` (in-process; real SQLite files in temp dirs and fastify `inject` are fine), and
 * test/unit-guard.ts makes a unit test that spawns or listens fail with a pointer here.
 */
const E2E = [
  'test/e2e/**/*.test.ts',
  // child processes
  'test/bench/run.test.ts',
  'test/metrics/libraries.test.ts',
  'test/report/format.test.ts',
  'test/runner/pipes.test.ts',
  'test/runner/prelude.test.ts',
  'test/runner/tee.test.ts',
  'test/store/concurrency.test.ts',
  // a PostgreSQL cluster of its own (test/helpers/postgres.ts)
  'test/store/contract/postgres.test.ts',
  // servers on a real port
  'test/client/api.test.ts',
  'test/sink/remote-sink.test.ts',
  'test/server/continue.test.ts',
  'test/server/gather.test.ts',
  'test/server/privacy.test.ts',
  'test/server/robustness.test.ts',
  'test/server/serve.test.ts',
  'test/server/times.test.ts',
  'test/server/upgrade.test.ts',
  // a real browser
  'test/web/api-docs.test.ts',
  'test/web/charts.test.ts',
  'test/web/cli.test.ts',
  'test/web/error-pages.test.ts',
  'test/web/live.test.ts',
  'test/web/log-view.test.ts',
  'test/web/pages.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests spawn real processes and servers; two cores, so keep parallelism modest
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E, setupFiles: ['test/unit-guard.ts'] } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
