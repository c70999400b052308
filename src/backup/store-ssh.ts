/**
 * A backup store in a directory on a fleet host, reached over the same Connection as everything
 * else: archives go up with the transport's atomic upload and come back with download; listing,
 * renames and removals are plain coreutils/findutils commands (a fleet host is a Linux machine).
 * Listing the whole store is one command, so `backup list` costs one round trip per store.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { Readable } from "node:stream";
import type { Connection } from "../transport/types.js";
import { makePrivateDirectory, moveDirectory, removePath, runChecked } from "../host/run.js";
import { MANIFEST_FILE } from "./manifest.js";
import type { PartialEntry, StoreBackend, StoreScan, StoredDirectory } from "./store.js";

/**
 * Prints, relative to the store root ($1): `P <tab> mtime <tab> path` for each partial entry,
 * `M <tab> path <tab> base64(manifest)` for each backup directory with a manifest, `D <tab> path`
 * for one without. Each record is framed by a per-call nonce ($2) so no file content can forge one.
 */
const SCAN_SCRIPT = `
[ -d "$1" ] || exit 0
cd -- "$1" || exit 1
find . -mindepth 3 -maxdepth 4 -name '.partial-*' -printf "$2 P\\t%T@\\t%P\\n"
for d in */*/*/; do
  [ -d "$d" ] || continue
  if [ -f "\${d}${MANIFEST_FILE}" ]; then
    printf '%s M\\t%s\\t' "$2" "\${d%/}"
    base64 -w0 < "\${d}${MANIFEST_FILE}" || exit 1
    printf '\\n'
  else
    printf '%s D\\t%s\\n' "$2" "\${d%/}"
  fi
done
`;

export class SshStoreBackend implements StoreBackend {
  constructor(
    private readonly connection: Connection,
    private readonly root: string,
  ) {}

  get label(): string {
    return `${this.connection.host}:${this.root}`;
  }

  private resolve(path: string): string {
    return posix.join(this.root, path);
  }

  async scan(): Promise<StoreScan> {
    const nonce = randomBytes(8).toString("hex");
    const output = await runChecked(this.connection, ["sh", "-c", SCAN_SCRIPT, "sh", this.root, nonce], `listing the backup store ${this.root}`);
    const directories: StoredDirectory[] = [];
    const partials: PartialEntry[] = [];
    for (const line of output.split("\n")) {
      if (!line.startsWith(`${nonce} `)) continue;
      const [kind, first, second] = line.slice(nonce.length + 1).split("\t");
      if (kind === "P" && first !== undefined && second) {
        const seconds = Number(first);
        partials.push({ path: second, modifiedMs: Number.isFinite(seconds) ? seconds * 1000 : null });
      } else if (kind === "M" && first && second !== undefined) {
        directories.push({ path: first, manifestText: Buffer.from(second, "base64").toString("utf8") });
      } else if (kind === "D" && first) {
        directories.push({ path: first, manifestText: null });
      }
    }
    return { directories, partials };
  }

  async makeDirectory(path: string): Promise<void> {
    await makePrivateDirectory(this.connection, this.resolve(path));
  }

  async writeStream(path: string, source: Readable, signal?: AbortSignal): Promise<void> {
    await this.connection.upload(source, this.resolve(path), { mode: 0o600, ...(signal ? { signal } : {}) });
  }

  async writeText(path: string, text: string): Promise<void> {
    await this.connection.upload(Readable.from([Buffer.from(text, "utf8")]), this.resolve(path), { mode: 0o600 });
  }

  async readStream(path: string, signal?: AbortSignal): Promise<Readable> {
    return this.connection.download(this.resolve(path), signal ? { signal } : {});
  }

  async rename(from: string, to: string): Promise<void> {
    await moveDirectory(this.connection, this.resolve(from), this.resolve(to));
  }

  async remove(path: string): Promise<void> {
    await removePath(this.connection, this.resolve(path));
  }
}
