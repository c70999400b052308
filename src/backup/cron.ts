/**
 * When a backup policy's schedule last fired. Schedules are parsed by the fleet loader
 * (src/config/cron.ts); `backup due` only needs the most recent fire time at or before "now".
 * Schedules are evaluated in UTC, like the retention buckets, so `due` and `prune` agree on what
 * a day is wherever the controller runs.
 */
import type { CronSchedule } from "../config/cron.js";

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
