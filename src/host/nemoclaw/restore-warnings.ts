/**
 * NemoClaw's word that a recreate or rebuild put a sandbox's workspace back only partly. Both
 * still exit 0 and leave a fresh sandbox Ready, the old state only in the backup they name:
 * - `onboard --recreate-sandbox` (and the installer's onboard): `  Warning: partial restore.
 *   Manual recovery: <backup>` (NC@d50338aa:src/lib/onboard/created-sandbox-finalization.ts:56-65);
 * - `<sb> rebuild` (and the installer's `upgrade-sandboxes --auto`): `  ⚠ Sandbox '<sb>' rebuilt but
 *   some post-restore steps were incomplete` then `    State restore was incomplete — backup
 *   available at: <backup>` (NC@d50338aa:src/lib/actions/sandbox/rebuild-finalization.ts:125-132);
 *   up to ≈v0.0.59 (before #4610, 9eb020e4, first in the v0.0.60 release notes 1f0b4c5e) it was
 *   `  ⚠ Sandbox '<sb>' rebuilt but state restore was incomplete` then `    Backup available at:
 *   <backup>` (NC@f9cb3447:src/lib/actions/sandbox/rebuild.ts:907-910, NC@8aefa9d6:src/nemoclaw.ts:1671).
 * The backup is `~/.nemoclaw/rebuild-backups/<sandbox>/<timestamp>` (real-cli-2026-12 §4.2, §7.1).
 */
import { stripAnsi } from "../output.js";

export interface PartialRestore {
  /** The sandbox the backup belongs to (null when the path is not in NemoClaw's store). */
  sandbox: string | null;
  /** The backup NemoClaw kept, as it printed it. */
  backup: string;
  /** Its snapshot timestamp (what `snapshot restore` takes), when the path is in NemoClaw's store. */
  timestamp: string | null;
}

/** The rest of the line is the path (a home directory may hold a space). */
const WARNINGS = [
  /^\s*Warning: partial restore\. Manual recovery: (\S.*?)\s*$/gm,
  /^\s*State restore was incomplete — backup available at: (\S.*?)\s*$/gm,
  /^\s*Backup available at: (\S.*?)\s*$/gm,
];
const STORE = /\/rebuild-backups\/([^/\s]+)\/([^/\s]+)\/?$/;

export function partialRestores(output: string): PartialRestore[] {
  const text = stripAnsi(output);
  const found: PartialRestore[] = [];
  for (const pattern of WARNINGS) {
    for (const match of text.matchAll(pattern)) {
      const backup = match[1]!;
      const store = STORE.exec(backup);
      found.push({ backup, sandbox: store?.[1] ?? null, timestamp: store?.[2] ?? null });
    }
  }
  return found;
}

/** What to tell the user about one partial restore of `sandbox`. */
export function partialRestoreHint(sandbox: string, restore: PartialRestore): string {
  const selector = restore.timestamp ?? restore.backup;
  return `Its previous state is in ${restore.backup} on the host: \`nemoclaw ${sandbox} snapshot restore "${selector}"\` puts it back (or \`nemoclaw backup restore\` from this run's backup, when one was taken).`;
}
