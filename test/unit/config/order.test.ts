/** The string order nemoclaw sorts by: code units, the same under every locale. */
import { describe, expect, it } from "vitest";
import { byCodeUnits } from "../../../src/config/order.js";

describe("byCodeUnits", () => {
  it("orders by UTF-16 code units: punctuation by its code, capitals before small letters", () => {
    const names = ["spark_b", "spark-b", "Spark-a", "spark.b", "spark-a", "späßchen", "spark10", "spark9"];
    expect([...names].sort(byCodeUnits)).toEqual(["Spark-a", "spark-a", "spark-b", "spark.b", "spark10", "spark9", "spark_b", "späßchen"]);
  });

  it("says equal only for equal strings", () => {
    expect(byCodeUnits("gw", "gw")).toBe(0);
    expect(byCodeUnits("gw", "GW")).not.toBe(0);
    expect(byCodeUnits("a", "b")).toBeLessThan(0);
    expect(byCodeUnits("b", "a")).toBeGreaterThan(0);
  });
});
