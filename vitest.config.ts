import { defineConfig } from "vitest/config";

// Two projects: fast unit tests (pure code, fixtures) and integration tests that
// start real sshd test hosts with the OpenShell/NemoClaw simulator on their PATH.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Both projects run under one `npm test`; units first, then the sshd-backed suite.
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Each file brings up its own fleet; keep CPU contention bounded on 2-core CI machines.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
