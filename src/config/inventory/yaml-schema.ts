/**
 * How Ansible reads YAML: PyYAML's YAML 1.1 implicit types (its SafeLoader resolver and
 * constructor, which ansible-core's AnsibleLoader uses), plus Ansible's `!vault` and `!unsafe`
 * tags. PyYAML differs from the YAML 1.1 specification in places, and Ansible users rely on
 * PyYAML's reading:
 *
 * - booleans are yes/no/true/false/on/off in three casings each (`y` and `n` stay strings);
 * - floats need a dot (`1e3` is a string, `1.0e+3` a float, `1.0e3` a string again);
 * - `017` is octal, `0o17` a string, `1:30` the base-60 number 90;
 * - dates stay dates and date-times keep their offset; Ansible prints them in ISO form
 *   (`2024-01-15`, `2024-01-15T10:20:30+05:00`), which is how they are kept here;
 * - JSON is read with Python's json rules (`1.0` stays a float, big integers stay exact).
 */
import type { ScalarTag, SchemaOptions } from "yaml";
import { PyFloat, UnsafeText, VaultValue } from "./values.js";

type Tags = Exclude<SchemaOptions["customTags"], ((...args: never[]) => unknown) | null | undefined>;

const IMPLICIT = new Set(["null", "bool", "int", "float", "timestamp"].map((t) => `tag:yaml.org,2002:${t}`));
const tagOf = (tag: Tags[number]): string => (typeof tag === "string" ? tag : tag.tag);

const nullTag: ScalarTag = {
  tag: "tag:yaml.org,2002:null",
  default: true,
  test: /^(?:~|null|Null|NULL)?$/,
  resolve: () => null,
};

const boolTag: ScalarTag = {
  tag: "tag:yaml.org,2002:bool",
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (text) => /^(?:yes|true|on)$/i.test(text),
};

const intTag: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  resolve: (text, onError) => {
    const value = pyyamlInt(text);
    if (value === undefined) onError(`"${text}" is not an integer`);
    return value ?? text;
  },
};

const floatTag: ScalarTag = {
  tag: "tag:yaml.org,2002:float",
  default: true,
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (text, onError) => {
    const value = pyyamlFloat(text);
    if (value === undefined) onError(`"${text}" is not a number`);
    return new PyFloat(value ?? NaN);
  },
};

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

const timestampTag: ScalarTag = {
  tag: "tag:yaml.org,2002:timestamp",
  default: true,
  // PyYAML's resolver: a date is exactly YYYY-MM-DD; one- and two-digit months and days need a time.
  test: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  resolve: (text, onError) => {
    const value = isoTimestamp(text);
    if (value === undefined) onError(`"${text}" is not a valid date`);
    return value ?? text;
  },
};

const vaultTag: ScalarTag = {
  tag: "!vault",
  resolve: (text) => new VaultValue(text),
};

const vaultEncryptedTag: ScalarTag = { ...vaultTag, tag: "!vault-encrypted" };

const unsafeTag: ScalarTag = {
  tag: "!unsafe",
  resolve: (text) => new UnsafeText(text),
};

/** The tag list for the yaml library's `customTags`: YAML 1.1's collections, PyYAML's scalars. */
export function pyyamlTags(tags: Tags): Tags {
  return [...tags.filter((t) => typeof t !== "string" && !IMPLICIT.has(tagOf(t))), nullTag, boolTag, intTag, floatTag, timestampTag, vaultTag, vaultEncryptedTag, unsafeTag];
}

const jsonIntTag: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  test: /^-?(?:0|[1-9][0-9]*)$/,
  resolve: (text) => exactInteger(BigInt(text)),
};

const jsonFloatTag: ScalarTag = {
  tag: "tag:yaml.org,2002:float",
  default: true,
  test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$|^-?(?:Infinity|NaN)$/,
  resolve: (text) => new PyFloat(Number(text)),
};

/** Tags for reading JSON as Python's json module does (integers exact, floats stay floats). */
export function pythonJsonTags(tags: Tags): Tags {
  // First: the JSON schema ends in a catch-all tag that refuses every other plain scalar.
  return [jsonIntTag, jsonFloatTag, ...tags.filter((t) => typeof t !== "string" && tagOf(t) !== jsonIntTag.tag && tagOf(t) !== jsonFloatTag.tag)];
}

function exactInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** PyYAML's construct_yaml_int. */
function pyyamlInt(written: string): number | bigint | undefined {
  let text = written.replace(/_/g, "");
  let sign = 1n;
  if (text.startsWith("-")) sign = -1n;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  let value: bigint;
  try {
    if (text === "0") value = 0n;
    else if (text.startsWith("0b")) value = BigInt(`0b${text.slice(2)}`);
    else if (text.startsWith("0x")) value = BigInt(`0x${text.slice(2)}`);
    else if (text.startsWith("0")) value = BigInt(`0o${text.slice(1)}`);
    else if (text.includes(":")) value = text.split(":").reduce((total, part) => total * 60n + BigInt(part), 0n);
    else value = BigInt(text);
  } catch {
    return undefined;
  }
  return exactInteger(sign * value);
}

/** PyYAML's construct_yaml_float. */
function pyyamlFloat(written: string): number | undefined {
  let text = written.replace(/_/g, "").toLowerCase();
  let sign = 1;
  if (text.startsWith("-")) sign = -1;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  if (text === ".inf") return sign * Infinity;
  if (text === ".nan") return NaN;
  if (text.includes(":")) return sign * text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  const value = Number(text.endsWith(".") ? `${text}0` : text);
  return Number.isNaN(value) ? undefined : sign * value;
}

/** PyYAML's construct_yaml_timestamp, printed as Python's isoformat() prints the date or datetime. */
function isoTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone, zoneSign, zoneHour, zoneMinute] = m;
  const [y, mo, d] = [Number(year), Number(month), Number(day)];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return undefined;
  const two = (n: string | number) => String(n).padStart(2, "0");
  const date = `${String(y).padStart(4, "0")}-${two(mo)}-${two(d)}`;
  if (hour === undefined) return date;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const micro = (fraction ?? "").slice(0, 6).padEnd(6, "0");
  let out = `${date}T${two(hour)}:${minute}:${second}${Number(micro) === 0 ? "" : `.${micro}`}`;
  if (zone === "Z") out += "+00:00";
  else if (zoneSign !== undefined) {
    const offset = Number(zoneHour) * 60 + Number(zoneMinute ?? 0);
    if (offset >= 24 * 60) return undefined;
    out += `${offset === 0 ? "+" : zoneSign}${two(Math.floor(offset / 60))}:${two(offset % 60)}`;
  }
  return out;
}
