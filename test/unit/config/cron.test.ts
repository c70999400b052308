import { describe, expect, it } from "vitest";
import { longestInterval, parseCron, previousFireTime } from "../../../src/config/cron.js";

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

  it("takes a day that only some months have, a leap day, and a missing day when the weekday may match instead", () => {
    for (const expression of ["0 0 31 * *", "0 0 31 1,2 *", "0 0 29 2 *", "0 0 31 2 mon"]) expect(parseCron(expression).ok, expression).toBe(true);
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
    ["0 0 31 2 *", /^this schedule never fires: February has no day 31$/],
    ["0 0 30,31 feb *", /^this schedule never fires: February has no day 30 or 31$/],
    ["0 0 31 4,6,9,11 *", /^this schedule never fires: none of April, June, September or November has a day 31$/],
  ])("rejects %j", (expression, message) => {
    const result = parseCron(expression);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toMatch(message);
  });
});

function previous(expression: string, now: string): string | null {
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new Error(parsed.message);
  return previousFireTime(parsed.schedule, new Date(now))?.toISOString() ?? null;
}

describe("previousFireTime", () => {
  it("returns the same day's run once it has passed, else the day before", () => {
    expect(previous("0 2 * * *", "2026-07-10T02:00:00Z")).toBe("2026-07-10T02:00:00.000Z");
    expect(previous("0 2 * * *", "2026-07-10T01:59:59Z")).toBe("2026-07-09T02:00:00.000Z");
    expect(previous("30 2 * * *", "2026-07-10T02:29:00Z")).toBe("2026-07-09T02:30:00.000Z");
  });

  it("steps back through hours and minutes", () => {
    expect(previous("*/15 * * * *", "2026-07-10T10:44:30Z")).toBe("2026-07-10T10:30:00.000Z");
    expect(previous("45 9,17 * * *", "2026-07-10T17:10:00Z")).toBe("2026-07-10T09:45:00.000Z");
    expect(previous("50 * * * *", "2026-07-10T00:10:00Z")).toBe("2026-07-09T23:50:00.000Z");
  });

  it("restricts to weekdays and months", () => {
    // 2026-07-11 is a Saturday.
    expect(previous("0 3 * * mon-fri", "2026-07-12T12:00:00Z")).toBe("2026-07-10T03:00:00.000Z");
    expect(previous("0 0 1 */3 *", "2026-05-15T00:00:00Z")).toBe("2026-04-01T00:00:00.000Z");
    expect(previous("0 0 * * 7", "2026-07-14T00:00:00Z")).toBe("2026-07-12T00:00:00.000Z");
  });

  it("ORs day-of-month and day-of-week when both are restricted", () => {
    // 2026-07-13 is a Monday; the 15th is a Wednesday.
    expect(previous("0 0 15 * mon", "2026-07-14T12:00:00Z")).toBe("2026-07-13T00:00:00.000Z");
    expect(previous("0 0 15 * mon", "2026-07-15T12:00:00Z")).toBe("2026-07-15T00:00:00.000Z");
    expect(previous("0 0 * * mon", "2026-07-15T12:00:00Z")).toBe("2026-07-13T00:00:00.000Z");
  });

  it("takes a day field that starts with * as unrestricted, as cron does: then both day fields must match", () => {
    // crontab(5): restricted means not containing "*"; cron flags `*/2` as a star field.
    // 2026-07-13 is a Monday (odd), 2026-07-20 a Monday (even), 2026-07-15 a Wednesday (odd).
    expect(parseCron("0 0 */2 * mon")).toMatchObject({ ok: true, schedule: { dayOfMonthRestricted: false, dayOfWeekRestricted: true } });
    expect(previous("0 0 */2 * mon", "2026-07-21T12:00:00Z")).toBe("2026-07-13T00:00:00.000Z");
    expect(previous("0 0 */2 * mon", "2026-07-16T12:00:00Z")).toBe("2026-07-13T00:00:00.000Z");
    expect(previous("0 0 1-31 * mon", "2026-07-16T12:00:00Z")).toBe("2026-07-16T00:00:00.000Z");
    // `*/2` weekdays are Sun, Tue, Thu, Sat: July 13th is a Monday, June 13th a Saturday.
    expect(previous("0 0 13 * */2", "2026-07-16T12:00:00Z")).toBe("2026-06-13T00:00:00.000Z");
  });

  it("finds leap days years back", () => {
    expect(previous("0 0 29 2 *", "2027-03-01T00:00:00Z")).toBe("2024-02-29T00:00:00.000Z");
  });
});

describe("longestInterval", () => {
  const schedule = (expression: string) => {
    const parsed = parseCron(expression);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.schedule;
  };
  const now = new Date("2026-07-08T12:00:00Z"); // a Wednesday

  it("is the schedule's period when it is regular", () => {
    expect(longestInterval(schedule("0 2 * * *"), now)).toBe(86_400_000);
    expect(longestInterval(schedule("*/15 * * * *"), now)).toBe(15 * 60_000);
  });

  it("takes the longest gap among the last fires: a weekday schedule's weekend", () => {
    expect(longestInterval(schedule("0 2 * * 1-5"), now)).toBe(3 * 86_400_000);
    expect(longestInterval(schedule("0 2 * * 1-5"), now, 2)).toBe(86_400_000);
  });

  it("is null for a schedule that fired fewer than twice", () => {
    expect(longestInterval(schedule("0 2 * * *"), now, 1)).toBeNull();
  });
});
