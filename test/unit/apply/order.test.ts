import { describe, expect, it } from "vitest";
import { blockingDependency, orderSteps } from "../../../src/apply/order.js";
import { step } from "./fixtures.js";

describe("orderSteps", () => {
  it("keeps the planner's order when it already satisfies the dependencies", () => {
    const steps = [step("preflight:h"), step("backup:a", ["preflight:h"]), step("sandbox-rebuild:a", ["backup:a"])];
    expect(orderSteps("h", steps).map((s) => s.id)).toEqual(["preflight:h", "backup:a", "sandbox-rebuild:a"]);
  });
  it("moves a step after the steps it depends on, stably", () => {
    const steps = [step("sandbox-rebuild:a", ["backup:a"]), step("policy-add:b"), step("backup:a")];
    expect(orderSteps("h", steps).map((s) => s.id)).toEqual(["policy-add:b", "backup:a", "sandbox-rebuild:a"]);
  });
  it("names the host and steps of a cycle", () => {
    expect(() => orderSteps("spark-01", [step("a", ["b"]), step("b", ["a"])])).toThrow("spark-01: steps 'a', 'b' depend on each other in a cycle");
  });
  it("rejects a dependency on a step that is not planned", () => {
    expect(() => orderSteps("spark-01", [step("a", ["ghost"])])).toThrow("depends on 'ghost'");
  });
  it("rejects duplicate ids", () => {
    expect(() => orderSteps("h", [step("a"), step("a")])).toThrow("appears twice");
  });
});

describe("blockingDependency", () => {
  it("is the first dependency that did not succeed", () => {
    const rebuild = step("sandbox-rebuild:a", ["preflight:h", "backup:a"]);
    expect(blockingDependency(rebuild, new Set(["preflight:h"]))).toBe("backup:a");
    expect(blockingDependency(rebuild, new Set(["preflight:h", "backup:a"]))).toBeNull();
  });
});
