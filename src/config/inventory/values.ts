/**
 * Inventory values as Ansible holds them. Most are plain JSON values; three kinds need more than
 * JavaScript has, so `nemoclaw inventory --list` can print exactly what `ansible-inventory` prints:
 *
 * - Python floats (`1.0`, `1.0e+3`, `.inf`), which Python prints as `1.0`, `1000.0`, `Infinity`;
 * - integers beyond 2^53 (bigint);
 * - `!vault` values (still encrypted) and `!unsafe` strings, which Ansible's JSON encoder prints as
 *   `{"__ansible_vault": …}` and `{"__ansible_unsafe": …}`.
 *
 * Everything past the inventory (host settings, selectors, reports) sees plain values (`toPlain`).
 */

export class PyFloat {
  constructor(readonly value: number) {}
}

/** An inline `!vault` value: the vault text, decrypted only when nemoclaw needs the value. */
export class VaultValue {
  constructor(readonly ciphertext: string) {}
}

/** An `!unsafe` string (never templated by Ansible). */
export class UnsafeText {
  constructor(readonly text: string) {}
}

/** The value with Python-only kinds turned into their closest JSON value. */
export function toPlain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof UnsafeText) return value.text;
  if (value instanceof VaultValue) return { __ansible_vault: value.ciphertext };
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** Whether a value is or holds a `!vault` value. */
export function holdsVault(value: unknown): boolean {
  if (value instanceof VaultValue) return true;
  if (Array.isArray(value)) return value.some(holdsVault);
  if (value !== null && typeof value === "object" && !(value instanceof PyFloat) && !(value instanceof UnsafeText)) return Object.values(value).some(holdsVault);
  return false;
}

/**
 * Python's repr of a float: the shortest digits that read back (as JavaScript also finds), in
 * exponent form when the decimal exponent is below -4 or at least 16, always with a `.0` or an
 * exponent so it reads as a float.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  let text: string;
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    text = `${body}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  } else if (exponent < 0) {
    text = `0.${"0".repeat(-exponent - 1)}${digits}`;
  } else {
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
    const fraction = digits.slice(exponent + 1);
    text = `${whole}.${fraction === "" ? "0" : fraction}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * JSON as Python's json.dumps(sort_keys=True, indent=4, ensure_ascii=False) writes it with
 * Ansible's encoder: sorted keys, 4-space indent, floats as Python prints them.
 */
export function pythonJson(value: unknown, indent = 4): string {
  return render(value, "", " ".repeat(indent));
}

function render(value: unknown, current: string, step: string): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (value instanceof VaultValue) return render({ __ansible_vault: value.ciphertext }, current, step);
  if (value instanceof UnsafeText) return render({ __ansible_unsafe: value.text }, current, step);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  const inner = current + step;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => inner + render(item, inner, step)).join(",\n")}\n${current}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${render(item, inner, step)}`).join(",\n")}\n${current}}`;
}
