/**
 * A host that prints without end (a compromised one can) must not fill the controller's memory:
 * the command is stopped once it printed more than the bound, and the run reports it.
 */
import { describe, expect, it } from "vitest";
import { MAX_COMMAND_OUTPUT_BYTES, runAnswering } from "../../../src/transport/execution.js";
import { LocalConnection } from "../../../src/transport/local.js";

const connection = new LocalConnection("here", { killGraceMs: 500 });

describe("output a command may print", () => {
  it("stops a command that prints past the bound, on stdout or stderr, instead of keeping it all", async () => {
    for (const argv of [["cat", "/dev/zero"], ["sh", "-c", "cat /dev/zero >&2"]]) {
      const started = Date.now();
      const run = connection.run({ argv }, { timeoutMs: 60_000, maxOutputBytes: 1024 * 1024 });
      await expect(run).rejects.toMatchObject({ kind: "command-failed", message: expect.stringContaining("printed more than 1 MiB") });
      expect(Date.now() - started).toBeLessThan(30_000);
    }
  });

  it("keeps output within the bound whole", async () => {
    const result = await connection.run({ argv: ["head", "-c", "1048576", "/dev/zero"] }, { maxOutputBytes: 1024 * 1024 });
    expect(result.stdout.length).toBe(1024 * 1024);
  });

  it("bounds a script that asks a question too, by default", async () => {
    expect(MAX_COMMAND_OUTPUT_BYTES).toBe(64 * 1024 * 1024);
    const run = runAnswering(connection, { script: "cat /dev/zero\n" }, { timeoutMs: 120_000 }, { asked: "ASKING\n", answer: async () => "x" });
    await expect(run).rejects.toMatchObject({ kind: "command-failed" });
  }, 120_000);
});
