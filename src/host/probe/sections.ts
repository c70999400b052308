/**
 * Splits the probe's stdout into its sections. Each section is framed by marker lines carrying
 * the run's nonce, which no command the probe runs ever sees (the markers are printed by the
 * shell's own printf, the nonce is never exported), so command output cannot forge a frame:
 *
 *   @@NCF <nonce> BEGIN <section>[ <key>]
 *   <the command's stdout and stderr, exactly>
 *   @@NCF <nonce> END <section> rc=<exit code | absent>
 *
 * The shell always prints a newline before END, so the body is the text in between.
 */
import { type Captured, type Fact, unknown } from "../output.js";

export interface ProbeSection {
  name: string;
  key: string;
  body: string;
  /** Null for an absent command, or a section cut off before its END marker. */
  exitCode: number | null;
  /** The command was not run: binary not installed, file missing, version too old. */
  absent: boolean;
  /** False when the output ended before this section's END marker (probe killed or timed out). */
  complete: boolean;
}

export class ProbeOutput {
  constructor(
    readonly sections: ProbeSection[],
    /** The probe reached its final `done` section. */
    readonly finished: boolean,
  ) {}

  /** The last section with this name and key (a retried command supersedes its first attempt). */
  get(name: string, key = ""): ProbeSection | undefined {
    return this.sections.findLast((section) => section.name === name && section.key === key);
  }

  all(name: string): ProbeSection[] {
    const latest = new Map<string, ProbeSection>();
    for (const section of this.sections) if (section.name === name) latest.set(section.key, section);
    return [...latest.values()];
  }

  /** A fact read from one section; a section the probe never reached, or cut off, is unknown and says so. */
  fact<T>(name: string, key: string, read: (section: ProbeSection) => Fact<T>): Fact<T> {
    const section = this.get(name, key);
    if (section === undefined) return unknown(`the probe ended before it reported ${name}`);
    if (!section.complete) return unknown(`the probe was cut off while reading ${name}`, section.body);
    return read(section);
  }

  /** The probe got past the section of this name (sections listed before it are all there). */
  reachedPast(name: string): boolean {
    return this.get(name)?.complete === true;
  }

  /** The `meta` section's `key=value` lines (user, home, the OPENSHELL_GATEWAY the login shell has). */
  meta(key: string): string | undefined {
    this.metaValues ??= new Map(
      (this.get("meta")?.body ?? "").split("\n").flatMap((line) => {
        const at = line.indexOf("=");
        return at > 0 ? [[line.slice(0, at), line.slice(at + 1)] as [string, string]] : [];
      }),
    );
    return this.metaValues.get(key);
  }

  private metaValues: Map<string, string> | undefined;
}

export function captured(section: ProbeSection): Captured {
  return { output: section.body, exitCode: section.exitCode };
}

export function parseProbeOutput(stdout: string, nonce: string): ProbeOutput {
  const begin = `@@NCF ${nonce} BEGIN `;
  const sections: ProbeSection[] = [];
  let position = 0;
  for (;;) {
    const at = lineStartIndexOf(stdout, begin, position);
    if (at < 0) break;
    const headerEnd = stdout.indexOf("\n", at);
    if (headerEnd < 0) break;
    const [name = "", ...keyWords] = stdout.slice(at + begin.length, headerEnd).split(" ");
    const endMarker = `\n@@NCF ${nonce} END ${name} rc=`;
    const endAt = stdout.indexOf(endMarker, headerEnd);
    if (endAt < 0) {
      sections.push({ name, key: keyWords.join(" "), body: stdout.slice(headerEnd + 1), exitCode: null, absent: false, complete: false });
      break;
    }
    const rcStart = endAt + endMarker.length;
    const rcEnd = stdout.indexOf("\n", rcStart);
    const rc = stdout.slice(rcStart, rcEnd < 0 ? undefined : rcEnd).trim();
    sections.push({
      name,
      key: keyWords.join(" "),
      body: stdout.slice(headerEnd + 1, endAt),
      exitCode: /^\d+$/.test(rc) ? Number(rc) : null,
      absent: rc === "absent",
      complete: true,
    });
    position = rcEnd < 0 ? stdout.length : rcEnd + 1;
  }
  return new ProbeOutput(sections, sections.some((section) => section.name === "done" && section.complete));
}

function lineStartIndexOf(text: string, needle: string, from: number): number {
  let at = text.indexOf(needle, from);
  while (at > 0 && text[at - 1] !== "\n") at = text.indexOf(needle, at + 1);
  return at;
}
