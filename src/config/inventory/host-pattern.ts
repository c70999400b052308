/**
 * Host entries in inventories: `name`, `name:port`, `[v6::addr]:port` and Ansible ranges
 * `spark-[01:04]` (zero padding kept), `[a:c]`, `[1:10:2]`.
 */

export interface HostEntry {
  names: string[];
  port?: number;
}

export function parseHostEntry(text: string): HostEntry | string {
  let pattern = text.trim();
  let port: number | undefined;
  const bracketedV6 = /^\[([0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)\](?::(\d+))?$/.exec(pattern);
  if (bracketedV6 !== null) return { names: [bracketedV6[1]!], ...(bracketedV6[2] === undefined ? {} : { port: Number(bracketedV6[2]) }) };
  const colonsOutsideBrackets = pattern.replace(/\[[^\]]*\]/g, "").split(":").length - 1;
  if (colonsOutsideBrackets === 1) {
    const at = pattern.lastIndexOf(":");
    const portText = pattern.slice(at + 1);
    if (!/^\d+$/.test(portText)) return `"${text}": port "${portText}" is not a number`;
    port = Number(portText);
    if (port < 1 || port > 65535) return `"${text}": port ${port} is out of range 1-65535`;
    pattern = pattern.slice(0, at);
  } else if (colonsOutsideBrackets > 1) {
    return { names: [pattern] }; // a bare IPv6 address
  }
  const names = expandRanges(pattern);
  if (typeof names === "string") return `"${text}": ${names}`;
  return { names, ...(port === undefined ? {} : { port }) };
}

function expandRanges(pattern: string): string[] | string {
  const open = pattern.indexOf("[");
  if (open < 0) return pattern.includes("]") ? `unmatched "]"` : [pattern];
  const close = pattern.indexOf("]", open);
  if (close < 0) return `unmatched "["`;
  const values = expandRange(pattern.slice(open + 1, close));
  if (typeof values === "string") return values;
  const rest = expandRanges(pattern.slice(close + 1));
  if (typeof rest === "string") return rest;
  const head = pattern.slice(0, open);
  return values.flatMap((v) => rest.map((r) => `${head}${v}${r}`));
}

function expandRange(body: string): string[] | string {
  const parts = body.split(":");
  if (parts.length < 2 || parts.length > 3) return `range [${body}] must look like [start:end] or [start:end:step]`;
  const [start, end, stepText = "1"] = parts as [string, string, string?];
  if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return `range [${body}] has an invalid step`;
  const step = Number(stepText);
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const [from, to] = [Number(start), Number(end)];
    if (to < from) return `range [${body}] runs backwards`;
    const width = start.length;
    const out: string[] = [];
    for (let n = from; n <= to; n += step) out.push(String(n).padStart(width, "0"));
    return out;
  }
  if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    const [from, to] = [start.charCodeAt(0), end.charCodeAt(0)];
    if (to < from) return `range [${body}] runs backwards`;
    const out: string[] = [];
    for (let c = from; c <= to; c += step) out.push(String.fromCharCode(c));
    return out;
  }
  return `range [${body}] must be numeric ([01:04]) or alphabetic ([a:c])`;
}
