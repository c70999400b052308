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
    expect(input).toEqual({ fleet, hosts: ["spark-*"], inputs: [] });
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

  it("reads ./fleet.yaml when no fleet file is named, unless inventories are given with -i alone", async () => {
    const asked: (string | undefined)[] = [];
    const { deps } = harness(async () => ({ fleet, warnings: [] }));
    const load = async (file: string | undefined) => {
      asked.push(file);
      return { fleet, warnings: [] };
    };
    await readFleetInput(undefined, { inventories: [], limit: undefined, color: false }, { ...deps, load });
    await readFleetInput(undefined, { inventories: ["hosts.ini"], limit: undefined, color: false }, { ...deps, load });
    await readFleetInput("prod.yaml", { inventories: ["hosts.ini"], limit: undefined, color: false }, { ...deps, load });
    expect(asked).toEqual(["fleet.yaml", undefined, "prod.yaml"]);
  });

  it("says ./fleet.yaml was read by default when it is missing or invalid, and only then", async () => {
    const missing = async () => {
      throw new FleetValidationError([{ ...diagnostic("error", "fleet file does not exist"), line: 1, column: 1, path: "" }]);
    };
    const defaulted = harness(missing);
    expect(await readFleetInput(undefined, { inventories: [], limit: undefined, color: false }, defaulted.deps)).toBe(ExitCode.ValidationError);
    expect(defaulted.stderr()).toContain("fleet.yaml:1:1: fleet file does not exist\n(no fleet file was named, so ./fleet.yaml was read; name one, or give inventories with -i to work from them alone)\n");
    const named = harness(missing);
    await readFleetInput("fleet.yaml", { inventories: [], limit: undefined, color: false }, named.deps);
    expect(named.stderr()).not.toContain("no fleet file was named");
  });
});
