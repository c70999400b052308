/**
 * A ProxyCommand that runs another ssh to a jump host, read as that jump host: the forms
 * `ssh -W %h:%p [options] [user@]bastion` and `ssh [options] [user@]bastion nc %h %p`. The jump's
 * own ssh options become the jump host's own settings; those nemoclaw cannot honour are listed,
 * so the caller can say so, naming the host and the option.
 */
import { shlexSplit } from "../inventory/ini-values.js";
import type { HostKeyChecking } from "../types.js";
import { parseProxyJump, type HopSpec } from "./layers.js";

export interface ProxyCommandJump {
  /** The jump hosts in order; the last is the ProxyCommand's own destination, with its options. */
  hops: HopSpec[];
  /** The jump's ssh options nemoclaw does not honour, as written (`-4`, `-c aes128-ctr`, `-o Ciphers=…`). */
  ignored: string[];
}

/** ssh's options that take an argument (ssh(1), SYNOPSIS; OpenSSH 9.2 ssh.c, the getopt string). */
const FLAGS_WITH_ARGUMENT = "BbcDEeFIiJLlmOoPpQRSWw";

/**
 * Flags that change only what an interactive ssh prints, asks or forwards, never which host is
 * reached or how it is trusted: quiet, verbose, compression, no tty, no command, stdin, agent and
 * X11 forwarding, GSSAPI delegation. `-E` (a log file) takes an argument and is passed over too.
 */
const PASSED_OVER_FLAGS = "qvCTNnAaxXYk";

/** `-o` options that only decide what ssh logs and whether it may prompt; nemoclaw never prompts. */
const PASSED_OVER_OPTIONS = new Set(["loglevel", "batchmode"]);

/** StrictHostKeyChecking as ssh reads it, without case, `true` as `yes` (OpenSSH readconf.c, multistate_strict_hostkey); undefined for what nemoclaw never honours (`no`, `off`, `ask`). */
export function hostKeyCheckingOf(value: string): HostKeyChecking | undefined {
  if (value.toLowerCase() === "accept-new") return "accept-new";
  if (/^(yes|true)$/i.test(value)) return "strict";
  return undefined;
}

export function jumpFromProxyCommand(command: string): ProxyCommandJump | string {
  const tokens = shlexSplit(command);
  if (typeof tokens === "string" || tokens.length === 0 || !/(^|\/)ssh$/.test(tokens[0]!)) {
    return `ProxyCommand "${command}" is not supported; use ProxyJump (or -J) instead`;
  }
  // As on ssh's command line, the first value of each setting wins; identity files add up.
  const own: Omit<HopSpec, "host"> = {};
  const identityFiles: string[] = [];
  const ignored: string[] = [];
  let destination: string | undefined;
  /** Whether a user was given (-l, -o User) before the destination: ssh then ignores the destination's user@. */
  let userBeforeDestination = false;
  let forward: string | undefined;
  let chain: HopSpec[] | string | undefined;
  const remoteCommand: string[] = [];
  const option = (text: string): void => {
    const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*)$/.exec(text);
    const key = match?.[1]!.toLowerCase();
    const value = match?.[2]!.trim() ?? "";
    if (key === "user") own.user ??= value;
    else if (key === "port" && /^\d+$/.test(value)) own.port ??= Number(value);
    else if (key === "identityfile") identityFiles.push(value);
    else if (key === "userknownhostsfile") own.knownHostsFiles ??= /^none$/i.test(value) ? [] : value.split(/\s+/);
    else if (key === "stricthostkeychecking" && hostKeyCheckingOf(value) !== undefined) own.hostKeyChecking ??= hostKeyCheckingOf(value);
    else if (key === "identitiesonly" && /^(yes|no)$/i.test(value)) own.identitiesOnly ??= value.toLowerCase() === "yes";
    else if (key === "proxyjump") chain ??= parseProxyJump(value);
    else if (key === undefined || !PASSED_OVER_OPTIONS.has(key)) ignored.push(`-o ${text}`);
  };
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    // ssh reads options before and right after the destination; from the first word of a remote
    // command on, every word is the command's (ssh.c, main: getopt again only up to a non-option).
    if (remoteCommand.length > 0 || !token.startsWith("-") || token === "-") {
      if (destination === undefined) {
        destination = token;
        userBeforeDestination = own.user !== undefined;
      } else remoteCommand.push(token);
      continue;
    }
    // As ssh's getopt reads them: flags may be bundled (-qW), and an option's argument may be
    // glued on (-p2222, -lops) or be the next word.
    for (let at = 1; at < token.length; at++) {
      const flag = token[at]!;
      if (!FLAGS_WITH_ARGUMENT.includes(flag)) {
        if (!PASSED_OVER_FLAGS.includes(flag)) ignored.push(`-${flag}`);
        continue;
      }
      const argument = at + 1 < token.length ? token.slice(at + 1) : tokens[++i];
      if (argument === undefined) return `ProxyCommand "${command}": -${flag} needs an argument`;
      if (flag === "p") own.port ??= Number(argument);
      else if (flag === "l") own.user ??= argument;
      else if (flag === "W") forward = argument;
      else if (flag === "i") identityFiles.push(argument);
      else if (flag === "J") chain ??= parseProxyJump(argument);
      else if (flag === "F") own.configFile ??= argument;
      else if (flag === "o") option(argument);
      else if (flag !== "E") ignored.push(`-${flag} ${argument}`);
      break;
    }
  }
  if (typeof chain === "string") return chain;
  if (own.port !== undefined && (!Number.isInteger(own.port) || own.port < 1 || own.port > 65535)) return `ProxyCommand "${command}": -p needs a port number`;
  if (destination === undefined) return `ProxyCommand "${command}" names no jump host`;
  // Only a jump to the host itself can be done as a jump host: `-W %h:%p` or a command given %h and %p.
  const toTheHost = forward !== undefined ? /^(%h|\[%h\]):%p$/.test(forward) : remoteCommand.includes("%h") && remoteCommand.includes("%p");
  if (!toTheHost) return `ProxyCommand "${command}" does not forward to the host's own address (%h:%p), so it cannot be used as a jump host; use ProxyJump (or -J) instead`;
  const hop = parseProxyJump(destination);
  if (typeof hop === "string") return hop;
  const last = hop[0]!;
  // The first user given wins, as ssh reads its command line in order (OpenSSH 9.2 ssh.c: the
  // destination's user@ is taken only when no -l or -o User came before it, and a later -l or
  // -o User only when it had none): `ssh -G -l a b@h` says a, `ssh -G b@h -l a` says b.
  const user = userBeforeDestination ? own.user : (last.user ?? own.user);
  const port = own.port ?? last.port;
  return {
    hops: [
      ...(chain ?? []),
      {
        ...own,
        host: last.host,
        ...(user === undefined ? {} : { user }),
        ...(port === undefined ? {} : { port }),
        ...(identityFiles.length === 0 ? {} : { identityFiles }),
      },
    ],
    ignored,
  };
}
