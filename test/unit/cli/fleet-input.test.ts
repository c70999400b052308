import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/exit-codes.js";
import { FleetValidationError, type Diagnostic } from "../../../src/config/diagnostics.js";
import { readFleetInput } from "../../../src/cli/fleet-input.js";
import type { DesiredFleet } from "../../../src/config/types.js";

const fleet = { name: "lab", hosts: [] } as unknown as DesiredFleet;
const diagnostic = (severity: "error" | "warning", message: string): Diagnostic => ({ file: "fleet.yaml", line: 3, column: 5, path: "hosts[0].port", message, severity });

function harness(load: () => Promise<{ fleet: DesiredFleet; warnings: Diagnostic[] }>, select = (_: DesiredFleet, limit: string | undefined) => (limit ? [limit] : ["all"])) {
  let err = "";
  const deps = { load, select, stderr: { write: (text: string) => (err += text) } };
  return { deps, stderr: () => err };
}

describe("readFleetInput", () => {
  it("prints the loader's warnings and hands back the fleet and the --limit selection", async () => {
    const { deps, stderr } = harness(async () => ({ fleet, warnings: [diagnostic("warning", "ansible_become is ignored")] }));
    const input = await readFleetInput("fleet.yaml", { inventories: [], limit: "spark-*", color: false }, deps);
    expect(input).toEqual({ fleet, hosts: ["spark-*"] });
    expect(stderr()).toContain("fleet.yaml:3:5: hosts[0].port: warning: ansible_become is ignored");
  });

  it("prints every diagnostic of an invalid file or limit and ends in the validation exit code", async () => {
    const { deps, stderr } = harness(async () => {
      throw new FleetValidationError([diagnostic("error", "expected an integer"), diagnostic("error", "unknown field")]);
    });
    expect(await readFleetInput("fleet.yaml", { inventories: [], limit: undefined, color: false }, deps)).toBe(ExitCode.ValidationError);
    expect(stderr()).toMatch(/expected an integer[\s\S]*unknown field/);
  });

  it("rethrows anything that is not a validation problem", async () => {
    const { deps } = harness(async () => {
      throw new Error("EIO");
    });
    await expect(readFleetInput("fleet.yaml", { inventories: [], limit: undefined, color: false }, deps)).rejects.toThrow("EIO");
  });
});
