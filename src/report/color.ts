/**
 * Terminal colour for every renderer. Whether to colour is decided once per run, in this order:
 * `--no-color` off; FORCE_COLOR set → on (unless it is `0` or `false`, as in Node); NO_COLOR set
 * and non-empty → off (no-color.org); TERM=dumb → off; otherwise only when the stream is a TTY.
 */

export interface ColorChoice {
  /** False when the user passed `--no-color` (commander's `color` option). */
  flag?: boolean;
  env?: NodeJS.ProcessEnv;
  isTTY?: boolean;
}

export function shouldUseColor({ flag = true, env = process.env, isTTY = false }: ColorChoice): boolean {
  if (!flag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

export type Paint = (text: string) => string;

export interface Colors {
  readonly enabled: boolean;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  blue: Paint;
  cyan: Paint;
  magenta: Paint;
}

function sgr(open: number, close: number, enabled: boolean): Paint {
  return enabled ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
}

export function createColors(enabled: boolean): Colors {
  return {
    enabled,
    bold: sgr(1, 22, enabled),
    dim: sgr(2, 22, enabled),
    red: sgr(31, 39, enabled),
    green: sgr(32, 39, enabled),
    yellow: sgr(33, 39, enabled),
    blue: sgr(34, 39, enabled),
    cyan: sgr(36, 39, enabled),
    magenta: sgr(35, 39, enabled),
  };
}

/** Colours for a stream, honouring the flag and the environment. */
export function colorsFor(stream: { isTTY?: boolean }, flag?: boolean, env: NodeJS.ProcessEnv = process.env): Colors {
  return createColors(shouldUseColor({ flag: flag ?? true, env, isTTY: stream.isTTY === true }));
}
