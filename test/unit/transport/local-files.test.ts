/**
 * Files the controller reads for a connection — identity files, known_hosts, ssh configs and
 * secret files — are refused at once when they are not regular files or are far too large,
 * never waited on (a FIFO would block a read forever).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSecret } from "../../../src/config/secrets.js";
import { readKnownHostsFiles } from "../../../src/transport/known-hosts.js";
import { IdentityKeys, planAuth } from "../../../src/transport/ssh-auth.js";
import { loadSshConfig } from "../../../src/transport/ssh-config.js";
import type { SshEndpoint } from "../../../src/transport/ssh-endpoint.js";

let dir: string;
let fifo: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nemoclaw-local-files-"));
  fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("files that are not regular files", () => {
  it("an identity file that is a FIFO is skipped with the reason, not read", async () => {
    const endpoint = { user: "ops", agentSocket: null, identityFiles: [fifo, "/dev/zero"], defaultIdentities: false } as unknown as SshEndpoint;
    const plan = await planAuth("spark-01", endpoint, new IdentityKeys(async () => ""));
    expect(plan.methods).toEqual([]);
    expect(plan.notes).toEqual([`${fifo}: is not a regular file (a FIFO); refusing to read it`, "/dev/zero: is not a regular file (a character device); refusing to read it"]);
  });

  it("a known_hosts file that is a FIFO is an error naming it", async () => {
    await expect(readKnownHostsFiles([fifo])).rejects.toThrow(`known_hosts file ${fifo}: is not a regular file (a FIFO); refusing to read it`);
  });

  it("an ssh config that includes a FIFO is an error naming it", async () => {
    const config = join(dir, "config");
    writeFileSync(config, `Include ${fifo}\n`);
    await expect(loadSshConfig(config, { home: dir, localUser: "ops" })).rejects.toThrow(`${fifo}: is not a regular file (a FIFO); refusing to read it`);
  });

  it("a secret file that is a FIFO or too large is refused, naming only the reference", async () => {
    await expect(resolveSecret({ kind: "file", path: fifo })).rejects.toThrow(`secret file:${fifo}: cannot read the file: is not a regular file (a FIFO); refusing to read it`);
    const big = join(dir, "big");
    writeFileSync(big, "k".repeat(70 * 1024));
    await expect(resolveSecret({ kind: "file", path: big })).rejects.toThrow(`secret file:${big}: cannot read the file: is ${70 * 1024} bytes; files over 65536 bytes are refused`);
  });
});
