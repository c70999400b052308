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

export function chooseProgressMode(options: { json: boolean; isTTY: boolean }): ProgressMode {
  if (options.json) return "json";
  return options.isTTY ? "live" : "lines";
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
