/**
 * Names that become paths in a backup store or on a host. Everything here is checked before it is
 * joined into a path, so a strange host or sandbox name can never climb out of the store.
 */

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
