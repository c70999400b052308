// @ts-check
// A small clap-like argument parser: long/short flags, `--flag=value`, repeated values,
// positionals, and everything after `--`. Unknown flags produce clap's error text.

import { clapError } from "./ansi.mjs";
import { SimExit } from "./util.mjs";

/**
 * @typedef {{ value?: boolean; optionalValue?: boolean; repeat?: boolean; short?: string }} FlagSpec
 * @typedef {{ usage: string; flags: Record<string, FlagSpec> }} CommandSpec
 * @typedef {{ flags: Map<string, string[]>; positionals: string[]; trailing: string[] | null }} Parsed
 */

/**
 * @param {string[]} args
 * @param {CommandSpec} spec
 * @param {(text: string) => void} writeErr
 * @returns {Parsed}
 */
export function parseArgs(args, spec, writeErr) {
  /** @type {Map<string, string[]>} */
  const flags = new Map();
  /** @type {string[]} */
  const positionals = [];
  /** @type {string[] | null} */
  let trailing = null;
  const shortToLong = new Map(
    Object.entries(spec.flags)
      .filter(([, flag]) => flag.short)
      .map(([name, flag]) => [/** @type {string} */ (flag.short), name]),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === "--") {
      trailing = args.slice(i + 1);
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [rawName, inlineValue] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const name = rawName.startsWith("--") ? rawName : shortToLong.get(rawName);
    const flag = name ? spec.flags[name] : undefined;
    if (!name || !flag) {
      writeErr(clapError(`unexpected argument '${rawName}' found`, spec.usage));
      throw new SimExit(2);
    }
    let value = "";
    if (flag.value) {
      if (inlineValue !== undefined) value = inlineValue;
      else if (i + 1 < args.length) value = /** @type {string} */ (args[++i]);
      else {
        writeErr(clapError(`a value is required for '${name} <${name.slice(2).toUpperCase()}>' but none was supplied`, spec.usage));
        throw new SimExit(2);
      }
    } else if (flag.optionalValue) {
      if (inlineValue !== undefined) value = inlineValue;
      else if (i + 1 < args.length && /^\d+$/.test(/** @type {string} */ (args[i + 1]))) value = /** @type {string} */ (args[++i]);
    }
    const existing = flags.get(name);
    if (existing && !flag.repeat) {
      writeErr(clapError(`the argument '${name}' cannot be used multiple times`, spec.usage));
      throw new SimExit(2);
    }
    flags.set(name, [...(existing ?? []), value]);
  }
  return { flags, positionals, trailing };
}

/** @param {Parsed} parsed @param {string} name */
export function flagValue(parsed, name) {
  const values = parsed.flags.get(name);
  return values ? values[values.length - 1] : undefined;
}

/** @param {Parsed} parsed @param {string} name */
export function hasFlag(parsed, name) {
  return parsed.flags.has(name);
}
