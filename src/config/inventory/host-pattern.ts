/**
 * Host entries in inventories, read as ansible-core 2.14 reads them (_expand_hostpattern and
 * expand_hostname_range in lib/ansible/plugins/inventory/__init__.py): `name`, `name:port`,
 * `[v6::addr]:port`, and ranges `spark-[01:04]` (zero padding kept; begin and end of equal
 * length), `[a:c]`, `[a:Z]` (a-z then A-Z), `[1:10:2]`, `[:3]` (from 0), several per name.
 *
 * One entry may expand to at most MAX_RANGE_HOSTS hosts: a range typo like `spark-[0:3000000]`
 * is refused before anything is expanded, instead of exhausting memory.
 */
import { parseAddress } from "./address.js";

export const MAX_RANGE_HOSTS = 100_000;

export interface HostEntry {
  names: string[];
  port?: number;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

interface Range {
  head: string;
  values: { count: number; at(i: number): string };
  tail: string;
}

/** The names (and port) a host entry stands for, or a message saying why it cannot be read. */
export function parseHostEntry(text: string): HostEntry | string {
  const address = parseAddress(text);
  // What Ansible cannot read as an address is taken whole, as one name.
  const pattern = address?.host ?? text;
  const port = address?.port;
  if (port !== undefined && (port < 1 || port > 65535)) return `"${text}": port ${port} is out of range 1-65535`;
  if (!pattern.includes("[")) return { names: [pattern], ...(port === undefined ? {} : { port }) };
  const count = countNames(pattern);
  if (typeof count === "string") return `"${text}": ${count}`;
  if (count > MAX_RANGE_HOSTS) return `"${text}" expands to ${count} hosts; one entry may expand to at most ${MAX_RANGE_HOSTS}`;
  const names = expand(pattern);
  if (typeof names === "string") return `"${text}": ${names}`;
  return { names, ...(port === undefined ? {} : { port }) };
}

/** How many names a pattern expands to, checked range by range without expanding any. */
function countNames(pattern: string): number | string {
  let total = 1;
  let rest = pattern;
  while (rest.includes("[")) {
    const range = firstRange(rest);
    if (typeof range === "string") return range;
    total *= range.values.count;
    if (total > MAX_RANGE_HOSTS) return total;
    rest = range.tail;
  }
  return total;
}

function expand(pattern: string): string[] | string {
  if (!pattern.includes("[")) return [pattern];
  const range = firstRange(pattern);
  if (typeof range === "string") return range;
  const out: string[] = [];
  for (let i = 0; i < range.values.count; i++) {
    const rest = expand(`${range.head}${range.values.at(i)}${range.tail}`);
    if (typeof rest === "string") return rest;
    out.push(...rest);
  }
  return out;
}

/** The first `[begin:end(:step)]` of a pattern (Ansible splits at the first `[` and first `]`). */
function firstRange(pattern: string): Range | string {
  const open = pattern.indexOf("[");
  const close = pattern.indexOf("]");
  if (close < 0) return `unmatched "["`;
  if (close < open) return `unmatched "]"`;
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  const bounds = body.split(":");
  if (bounds.length !== 2 && bounds.length !== 3) return `range [${body}] must be begin:end or begin:end:step`;
  const begin = bounds[0] === "" ? "0" : bounds[0]!;
  const end = bounds[1]!;
  const stepText = bounds[2] ?? "1";
  if (end === "") return `range [${body}] must give an end`;
  if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0) return `range [${body}] has an invalid step "${stepText}"`;
  const step = Number(stepText);
  const [from, to] = [LETTERS.indexOf(begin), LETTERS.indexOf(end)];
  if (begin.length === 1 && end.length === 1 && from >= 0 && to >= 0) {
    if (from > to) return `range [${body}] must have begin <= end`;
    const count = Math.floor((to - from) / step) + 1;
    return { head, tail, values: { count, at: (i) => LETTERS[from + i * step]! } };
  }
  if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end)) return `range [${body}] must be numeric ([01:04]) or alphabetic ([a:c])`;
  const padded = begin.length > 1 && begin.startsWith("0");
  if (padded && begin.length !== end.length) return `range [${body}] must give begin and end with the same number of digits`;
  const [low, high] = [Number(begin), Number(end)];
  // Ansible expands a backwards numeric range to no hosts at all; that is never what was meant.
  if (high < low) return `range [${body}] runs backwards (it would stand for no host)`;
  const count = Math.floor((high - low) / step) + 1;
  return { head, tail, values: { count, at: (i) => (padded ? String(low + i * step).padStart(begin.length, "0") : String(low + i * step)) } };
}
