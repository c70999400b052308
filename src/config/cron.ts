/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as in crontab(5):
 * `*`, values, ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`, month and weekday names,
 * and 7 for Sunday.
 */

export interface CronSchedule {
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
  /** crontab(5): when both day fields are restricted, a day matches if EITHER matches. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; message: string };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export function parseCron(expression: string): CronParseResult {
  const trimmed = expression.trim();
  const macro = MACROS[trimmed.toLowerCase()];
  if (macro !== undefined) return { ok: false, message: `write "${macro}" instead of ${trimmed}: schedules are five-field cron expressions` };
  const parts = trimmed.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 5) {
    return {
      ok: false,
      message: `cron expression has ${parts.length} field${parts.length === 1 ? "" : "s"}; expected 5 (minute hour day-of-month month day-of-week)`,
    };
  }
  const sets: number[][] = [];
  for (const [index, spec] of FIELDS.entries()) {
    const result = parseField(parts[index]!, spec);
    if (typeof result === "string") return { ok: false, message: `cron ${spec.name} field "${parts[index]}": ${result}` };
    sets.push(result);
  }
  const daysOfWeek = [...new Set(sets[4]!.map((d) => (d === 7 ? 0 : d)))].sort((a, b) => a - b);
  // crontab(5): a day field is restricted when it does not contain "*": cron (Vixie, cronie) flags a
  // field that starts with "*" as unrestricted, so `*/2` still needs the other day field to match too.
  const dayOfMonthRestricted = !parts[2]!.startsWith("*");
  const dayOfWeekRestricted = !parts[4]!.startsWith("*");
  const never = neverFires(sets[2]!, sets[3]!, dayOfMonthRestricted, dayOfWeekRestricted);
  if (never !== null) return { ok: false, message: never };
  return {
    ok: true,
    schedule: {
      minutes: sets[0]!,
      hours: sets[1]!,
      daysOfMonth: sets[2]!,
      months: sets[3]!,
      daysOfWeek,
      dayOfMonthRestricted,
      dayOfWeekRestricted,
    },
  };
}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** The most days each month has (February's 29th comes in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a schedule never fires (`0 0 31 2 *`: February has no 31st), or null when it fires. Only the
 * day of the month can miss every month it is given; with the day of the week restricted too,
 * crontab(5) fires on either, and every weekday comes round.
 */
function neverFires(daysOfMonth: readonly number[], months: readonly number[], dayOfMonthRestricted: boolean, dayOfWeekRestricted: boolean): string | null {
  if (!dayOfMonthRestricted || dayOfWeekRestricted) return null;
  const first = Math.min(...daysOfMonth);
  if (months.some((month) => first <= (MONTH_DAYS[month - 1] as number))) return null;
  const names = months.map((month) => MONTH_NAMES[month - 1] as string);
  const list = (items: readonly string[]) => (items.length === 1 ? (items[0] as string) : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`);
  const days = `day ${list(daysOfMonth.map(String))}`;
  return `this schedule never fires: ${names.length === 1 ? `${names[0]} has no ${days}` : `none of ${list(names)} has a ${days}`}`;
}

/** The values a field allows, or a message saying what is wrong with it. */
function parseField(field: string, spec: FieldSpec): number[] | string {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    if (item === "") return "empty list item";
    const [rangeText, stepText, extra] = item.split("/");
    if (extra !== undefined) return `"${item}" has more than one "/"`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return `step "${stepText}" is not a number`;
      step = Number(stepText);
      if (step < 1 || step > spec.max) return `step ${step} is out of range 1-${spec.max}`;
    }
    let low: number;
    let high: number;
    if (rangeText === "*") {
      low = spec.min;
      high = spec.max;
    } else {
      const bounds = rangeText!.split("-");
      if (bounds.length > 2) return `"${rangeText}" is not a value or a range`;
      const first = parseValue(bounds[0]!, spec);
      if (typeof first === "string") return first;
      low = first;
      if (bounds.length === 2) {
        const second = parseValue(bounds[1]!, spec);
        if (typeof second === "string") return second;
        high = second;
        if (high < low) return `range ${rangeText} runs backwards`;
      } else {
        // crontab(5): "a/n" means from a to the end of the range in steps of n.
        high = stepText === undefined ? low : spec.max;
      }
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec): number | string {
  const byName = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (byName >= 0) return spec.name === "month" ? byName + 1 : byName;
  if (!/^\d+$/.test(text)) {
    const names = spec.names === undefined ? "" : ` or a name (${spec.names[0]}-${spec.names[spec.names.length - 1]})`;
    return `"${text}" is not a number${names}`;
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) return `${value} is out of range ${spec.min}-${spec.max}`;
  return value;
}

/**
 * When a schedule last fired (`backup due` and the planner's due backups only need the most
 * recent fire time at or before "now"). Schedules are evaluated in UTC, like the retention
 * buckets, so `due` and `prune` agree on what a day is wherever the controller runs.
 */
function dayMatches(schedule: CronSchedule, day: Date): boolean {
  if (!schedule.months.includes(day.getUTCMonth() + 1)) return false;
  const byMonthDay = schedule.daysOfMonth.includes(day.getUTCDate());
  const byWeekDay = schedule.daysOfWeek.includes(day.getUTCDay());
  // crontab(5): when both day fields are restricted, either one matching is enough.
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return byMonthDay || byWeekDay;
  return byMonthDay && byWeekDay;
}

function largestAtMost(values: readonly number[], bound: number): number | null {
  let best: number | null = null;
  for (const value of values) if (value <= bound && (best === null || value > best)) best = value;
  return best;
}

/** Schedules like "Feb 29 and a Monday" recur within 28 years; searching further is pointless. */
const SEARCH_DAYS = 366 * 28;

/** The most recent minute at or before `now` at which the schedule fires, or null if none. */
export function previousFireTime(schedule: CronSchedule, now: Date): Date | null {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let back = 0; back < SEARCH_DAYS; back += 1) {
    const day = new Date(today - back * 86_400_000);
    if (!dayMatches(schedule, day)) continue;
    let hourBound = back === 0 ? now.getUTCHours() : 23;
    let minuteBound = back === 0 ? now.getUTCMinutes() : 59;
    for (;;) {
      const hour = largestAtMost(schedule.hours, hourBound);
      if (hour === null) break;
      const minute = largestAtMost(schedule.minutes, hour === hourBound ? minuteBound : 59);
      if (minute !== null) return new Date(day.getTime() + hour * 3_600_000 + minute * 60_000);
      hourBound = hour - 1;
      minuteBound = 59;
    }
  }
  return null;
}

/**
 * The longest time, in ms, between two consecutive fires among the schedule's last `fires` fire
 * times at or before `now` (a weekday schedule's weekend gap included): how old its newest backup
 * may grow while every scheduled run succeeds. Null when the schedule fired fewer than twice.
 */
export function longestInterval(schedule: CronSchedule, now: Date, fires = 8): number | null {
  let later = previousFireTime(schedule, now);
  let longest: number | null = null;
  for (let count = 1; later !== null && count < fires; count += 1) {
    const earlier = previousFireTime(schedule, new Date(later.getTime() - 60_000));
    if (earlier === null) break;
    longest = Math.max(longest ?? 0, later.getTime() - earlier.getTime());
    later = earlier;
  }
  return longest;
}
