// @ts-check
// NemoClaw's sandbox state backups (`~/.nemoclaw/rebuild-backups/<sandbox>/<timestamp>/`):
// the OpenClaw state directories and `openclaw.json`, credential files dropped, plus
// `rebuild-manifest.json` (0600). Used by backup-all, snapshot and rebuild. A backup appears
// only once complete (written under a temporary name, then renamed).

import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NC } from "./releases.mjs";
import { sha256, writeFileAtomic } from "./util.mjs";
import { atLeast } from "./versions.mjs";

/** OpenClaw's manifest `state_dirs` under `/sandbox/.openclaw`. */
const STATE_DIRS = ["agents", "extensions", "workspace", "skills", "hooks", "identity", "devices", "canvas", "cron", "memory", "telegram", "wechat", "whatsapp", "credentials"];
const STATE_FILES = ["openclaw.json"];
const CONFIG_DIR = "/sandbox/.openclaw";

/**
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 * @typedef {{ version: 1; sandboxName: string; timestamp: string; agentType: string; agentVersion: string | null; expectedVersion: string | null; stateDirs: string[]; backedUpDirs: string[]; stateFiles: {path: string; strategy: string}[]; dir?: string; writableDir?: string; backupPath: string; blueprintDigest: string | null; policyPresets: string[]; customPolicies: unknown[]; name?: string }} RebuildManifest
 */

/**
 * @param {SimPaths} paths
 * @param {string} root the sandbox root on the host
 * @param {{ sandbox: string; agentVersion: string | null; presets: string[]; label?: string; version?: string }} options `version`: the NemoClaw release writing it (default: a current one)
 */
export function backupSandboxState(paths, root, options) {
  const configDir = join(root, CONFIG_DIR);
  const timestamp = new Date().toISOString().replace(/[:.]/g, "-");
  const sandboxBackups = join(paths.backupsDir, options.sandbox);
  mkdirSync(sandboxBackups, { recursive: true, mode: 0o700 });
  const finalPath = join(sandboxBackups, timestamp);
  const partial = join(sandboxBackups, `.${timestamp}.partial`);
  mkdirSync(partial, { mode: 0o700 });
  const present = existsSync(configDir) ? readdirSync(configDir) : [];
  const dirs = [...STATE_DIRS.filter((dir) => present.includes(dir)), ...present.filter((dir) => dir.startsWith("workspace-")).sort()];
  /** @type {string[]} */
  const backedUpDirs = [];
  let files = 0;
  for (const dir of dirs) {
    // Host-side sanitisation drops credential stores entirely.
    if (dir === "credentials") continue;
    cpSync(join(configDir, dir), join(partial, dir), { recursive: true });
    backedUpDirs.push(dir);
  }
  for (const file of STATE_FILES) {
    if (!existsSync(join(configDir, file))) continue;
    cpSync(join(configDir, file), join(partial, file));
    files++;
  }
  /** @type {RebuildManifest} */
  const manifest = {
    version: 1,
    sandboxName: options.sandbox,
    timestamp,
    agentType: "openclaw",
    agentVersion: options.agentVersion,
    expectedVersion: options.agentVersion,
    stateDirs: STATE_DIRS,
    backedUpDirs,
    stateFiles: STATE_FILES.map((path) => ({ path, strategy: "copy" })),
    ...(options.version === undefined || atLeast(options.version, NC.snapshotDir) ? { dir: CONFIG_DIR } : { writableDir: "/sandbox/.openclaw-data" }),
    backupPath: finalPath,
    blueprintDigest: sha256("nemoclaw-blueprint"),
    policyPresets: options.presets,
    customPolicies: [],
    ...(options.label ? { name: options.label } : {}),
  };
  writeFileAtomic(join(partial, "rebuild-manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  chmodSync(partial, 0o700);
  renameSync(partial, finalPath);
  return { manifest, dirs: backedUpDirs.length, files };
}

/**
 * Backups of one sandbox, oldest first (`v1` … `vN` are assigned in this order). A manifest the
 * reading release cannot take is no snapshot for it (`version`: that release; default a current one).
 * @param {SimPaths} paths
 * @param {string} sandbox
 * @param {string} [version]
 * @returns {RebuildManifest[]}
 */
export function listBackups(paths, sandbox, version) {
  const readable = (/** @type {RebuildManifest} */ manifest) =>
    version === undefined || atLeast(version, NC.snapshotDir) ? typeof manifest.dir === "string" || typeof manifest.writableDir === "string" : typeof manifest.writableDir === "string";
  const dir = join(paths.backupsDir, sandbox);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => !entry.startsWith("."))
    .sort()
    .flatMap((entry) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, entry, "rebuild-manifest.json"), "utf8"));
        return readable(manifest) ? [manifest] : [];
      } catch {
        return [];
      }
    });
}

/**
 * Put a backup's state back into a sandbox root, replacing the directories it holds.
 * @param {string} root
 * @param {RebuildManifest} manifest
 */
export function restoreSandboxState(root, manifest) {
  const configDir = join(root, CONFIG_DIR);
  mkdirSync(configDir, { recursive: true });
  for (const dir of manifest.backedUpDirs) {
    rmSync(join(configDir, dir), { recursive: true, force: true });
    cpSync(join(manifest.backupPath, dir), join(configDir, dir), { recursive: true });
  }
  for (const { path } of manifest.stateFiles) {
    if (existsSync(join(manifest.backupPath, path))) cpSync(join(manifest.backupPath, path), join(configDir, path));
  }
}
