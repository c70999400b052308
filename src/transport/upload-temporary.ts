/**
 * The name an upload writes under beside its target before renaming it into place, whichever
 * transport carries it: `.<target>.nemoclaw-tmp.<8 letters or digits>` (over SSH, mktemp fills in
 * the 8 characters). One name for both, so a temporary file a killed upload left (the controller
 * or the host went away before the cleanup could run) can be told from anything else in its
 * directory, as a backup store's leftover sweep does (src/backup/store.ts `leftovers`).
 */
import { randomBytes } from "node:crypto";

const MARK = ".nemoclaw-tmp.";

/** The end of the mktemp template for a target's temporary; the caller puts `.<target>` before it. */
export const UPLOAD_TEMPORARY_TEMPLATE_SUFFIX = `${MARK}XXXXXXXX`;

/** A fresh temporary name (no directory) for an upload to a file named `base`. */
export function uploadTemporaryName(base: string): string {
  return `.${base}${MARK}${randomBytes(4).toString("hex")}`;
}

/** Whether a file name (no directory) is an upload's temporary. */
export function isUploadTemporaryName(name: string): boolean {
  return name.startsWith(".") && /\.nemoclaw-tmp\.[A-Za-z0-9]{8}$/.test(name);
}
