/**
 * Ansible's parse_address (lib/ansible/parsing/utils/addresses.py in ansible-core 2.14): a host
 * name, IPv4 or IPv6 address, each possibly with `[x:y]` ranges, and an optional port (`:NN`, or
 * `[address]:NN`, the only way to give an IPv6 address a port). Inventories use it to split
 * `host:port`; host patterns use it to tell `spark-[01:04]` (one host) from `a:b` (two terms).
 */

export interface Address {
  host: string;
  port?: number;
}

/** The address and port, or undefined when the text is not one host (with ranges allowed). */
export function parseAddress(text: string): Address | undefined {
  let address = text;
  let port: number | undefined;
  // Both forms are tried in turn, as Ansible's loop does.
  const bracketed = /^\[(.+)\]:([0-9]+)$/s.exec(address);
  if (bracketed !== null) [address, port] = [bracketed[1]!, Number(bracketed[2])];
  const withPort = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/s.exec(address);
  if (withPort !== null) [address, port] = [withPort[1]!, Number(withPort[2])];
  if (!(IPV4.test(address) || isIpv6(address) || ASCII_HOSTNAME.test(address) || HOSTNAME.test(address))) return undefined;
  return port === undefined ? { host: address } : { host: address, port };
}

/**
 * Every form of IPv6 address has a colon. The big pattern's first runs cost milliseconds (V8
 * compiles it, then compiles it again to machine code), so a name is never run through it.
 */
function isIpv6(text: string): boolean {
  if (!text.includes(":")) return false;
  IPV6.lastIndex = 0;
  return IPV6.test(text);
}

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV4_PART = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const P = String.raw`(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;

const IPV4 = new RegExp(String.raw`^(?:${IPV4_PART}\.){3}${IPV4_PART}$`, "iu");
// Written as Ansible writes it: `^` binds to the first alternative and `$` to the last only, and
// Python's re.match tries just the start of the text (the sticky flag here).
const IPV6 = new RegExp(
  "^" +
    [
      `(?:${P}:){7}${P}`,
      `(?:${P}:){1,6}:`,
      `(?:${P}:)(?::${P}){1,6}`,
      `(?:${P}:){2}(?::${P}){1,5}`,
      `(?:${P}:){3}(?::${P}){1,4}`,
      `(?:${P}:){4}(?::${P}){1,3}`,
      `(?:${P}:){5}(?::${P}){1,2}`,
      `(?:${P}:){6}(?::${P})`,
      `:(?::${P}){1,6}`,
      `${P}?::`,
      `(?:0:){6}(?:${P}\\.){3}${P}`,
      `::(?:ffff:)?(?:${P}\\.){3}${P}`,
      `(?:0:){5}ffff:(?:${P}\\.){3}${P}`,
    ].join("|") +
    "$",
  "iuy",
);
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, "iu");
// The same names in ASCII, which most are: a part of HOSTNAME that is far cheaper to compile and
// to run than its Unicode classes, so it is tried first.
const ASCII_LABEL = String.raw`(?:[a-z0-9_]|${ALNUM_RANGE})(?:[a-z0-9_-]|${ALNUM_RANGE})*(?<![_-])`;
const ASCII_HOSTNAME = new RegExp(String.raw`^${ASCII_LABEL}(?:\.${ASCII_LABEL})*$`, "i");
