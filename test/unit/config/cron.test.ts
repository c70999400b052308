import { describe, expect, it } from "vitest";
import { parseCron } from "../../../src/config/cron.js";

describe("parseCron", () => {
  it("expands values, ranges, steps, lists and names", () => {
    const result = parseCron("*/15 2-4,22 1,15 JAN-mar/2 mon-fri");
    expect(result).toEqual({
      ok: true,
      schedule: {
        minutes: [0, 15, 30, 45],
        hours: [2, 3, 4, 22],
        daysOfMonth: [1, 15],
        months: [1, 3],
        daysOfWeek: [1, 2, 3, 4, 5],
        dayOfMonthRestricted: true,
        dayOfWeekRestricted: true,
      },
    });
  });

  it("treats 7 as Sunday and a/n as a to the end in steps of n", () => {
    const result = parseCron("5/20 0 * * 7");
    expect(result.ok && result.schedule.minutes).toEqual([5, 25, 45]);
    expect(result.ok && result.schedule.daysOfWeek).toEqual([0]);
    expect(result.ok && result.schedule.dayOfMonthRestricted).toBe(false);
  });

  it.each([
    ["0 2 * *", /has 4 fields; expected 5/],
    ["0 0 2 * * *", /has 6 fields/],
    ["60 * * * *", /minute field "60": 60 is out of range 0-59/],
    ["* 24 * * *", /hour field "24"/],
    ["* * 0 * *", /day-of-month field "0": 0 is out of range 1-31/],
    ["* * * 13 * ", /month field "13"/],
    ["* * * * 8", /day-of-week field "8"/],
    ["* * * FOO *", /"FOO" is not a number or a name \(JAN-DEC\)/],
    ["*/0 * * * *", /step 0 is out of range/],
    ["5-1 * * * *", /runs backwards/],
    ["1,,2 * * * *", /empty list item/],
    ["*/2/3 * * * *", /more than one "\/"/],
    ["@hourly", /write "0 \* \* \* \*" instead of @hourly/],
  ])("rejects %j", (expression, message) => {
    const result = parseCron(expression);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toMatch(message);
  });
});
