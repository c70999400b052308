/**
 * Scrubs resolved secret values out of text before it reaches an event, a view or the journal.
 * Commands never contain secrets (they travel as secretEnv), but a remote tool may echo one back
 * in its output; every value resolved during the run is registered here first.
 */

export const REDACTED = "[REDACTED]";

/** Values this short would scrub innocent text (`1`, `on`) and cannot be meaningful secrets. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly values = new Set<string>();

  add(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) this.values.add(trimmed);
    if (value.length >= MIN_SECRET_LENGTH) this.values.add(value);
  }

  scrub(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      result = result.split(value).join(REDACTED);
    }
    return result;
  }

  /** Deep-scrub every string in a JSON-like value. */
  scrubValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    return scrubDeep(value, (text) => this.scrub(text)) as T;
  }
}

function scrubDeep(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === "string") return scrub(value);
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, scrub)]));
  }
  return value;
}
