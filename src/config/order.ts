/**
 * The one string order for everything nemoclaw sorts: by UTF-16 code units. `localeCompare`
 * orders by the machine's locale, so a plan's digest or a listing could differ between two
 * machines, and its first call loads ICU's collator (about 8 ms of every run that sorts).
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
