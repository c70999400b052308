/** `nemoclaw apply` option values. */
import { describe, expect, it } from "vitest";
import { durationMs } from "../../../src/cli/common.js";

describe("--lock-timeout durations", () => {
  it("reads Go's duration form, as Terraform's -lock-timeout does", () => {
    expect(["0", "500ms", "30s", "5m", "1h30m", "1.5s", "2m30s"].map(durationMs)).toEqual([0, 500, 30_000, 300_000, 5_400_000, 1_500, 150_000]);
    expect(() => durationMs("30")).toThrow("give a unit: 30s, 30m or 30h");
    expect(() => durationMs("5 minutes")).toThrow("expected a duration such as 30s, 5m or 1h30m");
    expect(() => durationMs("5mx")).toThrow("expected a duration");
  });
});
