/**
 * Choosing how a run is shown. One event stream, three views: the listr2 live view on a
 * terminal, plain lines otherwise, JSON Lines with `--json` (schemas/events.schema.json).
 */
import type { ApplyEvent } from "../apply/events.js";
import type { Colors } from "./color.js";
import { formatEventLines } from "./progress-lines.js";

export type ProgressMode = "live" | "lines" | "json";

export interface ProgressView {
  onEvent(event: ApplyEvent): void;
  /** Resolves once the view has drawn its final state. */
  finish(): Promise<void>;
}

/** Lines the live view needs besides one per host: listr2's spacing and a wrapped title or two. */
const LIVE_VIEW_MARGIN = 3;

/**
 * `hosts`: hosts with work; `rows`: the terminal's height, when known. The live view draws one
 * line per host and keeps only what fits on screen, so a run with more hosts than the terminal
 * has rows gets plain lines, which scroll and lose nothing (a failed host stays in sight).
 */
export function chooseProgressMode(options: { json: boolean; isTTY: boolean; hosts?: number; rows?: number }): ProgressMode {
  if (options.json) return "json";
  if (!options.isTTY) return "lines";
  const fits = options.rows === undefined || options.hosts === undefined || options.hosts + LIVE_VIEW_MARGIN <= options.rows;
  return fits ? "live" : "lines";
}

export function jsonLinesView(write: (text: string) => void): ProgressView {
  return {
    onEvent: (event) => write(`${JSON.stringify(event)}\n`),
    finish: async () => {},
  };
}

export function plainLinesView(write: (text: string) => void, colors: Colors): ProgressView {
  return {
    onEvent: (event) => {
      const lines = formatEventLines(event, colors);
      if (lines.length > 0) write(`${lines.join("\n")}\n`);
    },
    finish: async () => {},
  };
}
