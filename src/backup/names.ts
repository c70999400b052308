/**
 * Names that become paths in a backup store or on a host. Everything here is checked before it is
 * joined into a path, so a strange host or sandbox name can never climb out of the store.
 */

/** NemoClaw's snapshot timestamp: `new Date().toISOString().replace(/[:.]/g, "-")`. */
const SNAPSHOT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export function isSnapshotTimestamp(value: string): boolean {
  return SNAPSHOT_TIMESTAMP.test(value);
}

export function formatSnapshotTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

/**
 * A single path component of the store: no separators, no leading dot (dot names are the store's
 * own temporary entries), no control characters.
 */
export function isStoreComponent(value: string): boolean {
  return value.length > 0 && value.length <= 255 && !value.startsWith(".") && !/[/\\\u0000-\u001f\u007f]/.test(value);
}

export function assertStoreComponent(what: string, value: string): string {
  if (!isStoreComponent(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be used as a backup store path component`);
  return value;
}
