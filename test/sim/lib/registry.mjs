// @ts-check
// NemoClaw's sandbox registry (`~/.nemoclaw/sandboxes.json`, 0600 in a 0700 dir, atomic writes)
// and its lock directory `sandboxes.json.lock/owner`: 100 ms retries, 120 of them; a lock is
// stale when its owner is dead or it is older than 10 s.

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentCall } from "./call.mjs";
import { isPidAlive, sleep, SimExit, writeFileAtomic } from "./util.mjs";

/**
 * @typedef {Record<string, unknown> & { name: string; gatewayName?: string | null; gatewayPort?: number | null; policies?: string[] }} RegistryEntry
 * @typedef {{ sandboxes: Record<string, RegistryEntry>; defaultSandbox: string | null }} Registry
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 */

/** @param {SimPaths} paths @returns {Registry} */
export function readRegistry(paths) {
  try {
    const parsed = JSON.parse(readFileSync(paths.registry, "utf8"));
    return { ...parsed, sandboxes: parsed.sandboxes ?? {}, defaultSandbox: parsed.defaultSandbox ?? null };
  } catch {
    return { sandboxes: {}, defaultSandbox: null };
  }
}

/** @param {SimPaths} paths @param {Registry} registry */
export function writeRegistry(paths, registry) {
  mkdirSync(paths.nemoclawDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(paths.registry, `${JSON.stringify(registry, null, 2)}\n`, 0o600);
}

/** @param {string} lockDir */
function lockIsStale(lockDir) {
  try {
    const owner = join(lockDir, "owner");
    const pid = Number(readFileSync(owner, "utf8").trim());
    return !isPidAlive(pid) || Date.now() - statSync(owner).mtimeMs > 10_000;
  } catch {
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
}

/**
 * Read-modify-write the registry under NemoClaw's lock.
 * @template T
 * @param {SimPaths} paths
 * @param {(registry: Registry) => T | Promise<T>} change
 * @param {(text: string) => void} writeErr
 * @returns {Promise<T>}
 */
export async function updateRegistry(paths, change, writeErr) {
  mkdirSync(paths.nemoclawDir, { recursive: true, mode: 0o700 });
  let acquired = false;
  for (let attempt = 0; attempt < 120 && !acquired; attempt++) {
    try {
      mkdirSync(paths.registryLock, { mode: 0o700 });
      writeFileSync(join(paths.registryLock, "owner"), `${currentCall().pid}\n`, { mode: 0o600 });
      acquired = true;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
      if (lockIsStale(paths.registryLock)) rmSync(paths.registryLock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  if (!acquired) {
    writeErr(`  Timed out waiting for the sandbox registry lock (${paths.registryLock}).\n`);
    throw new SimExit(1);
  }
  try {
    const registry = readRegistry(paths);
    const result = await change(registry);
    writeRegistry(paths, registry);
    return result;
  } finally {
    rmSync(paths.registryLock, { recursive: true, force: true });
  }
}

/**
 * NemoClaw's persisted binding: `gatewayPort` wins, else `gatewayName`, else `nemoclaw`.
 * @param {RegistryEntry} entry
 */
export function entryGatewayName(entry) {
  if (typeof entry.gatewayPort === "number") return entry.gatewayPort === 8080 ? "nemoclaw" : `nemoclaw-${entry.gatewayPort}`;
  return typeof entry.gatewayName === "string" && entry.gatewayName ? entry.gatewayName : "nemoclaw";
}

/** The third-party notice version NemoClaw asks consent for (NC@d50338aa:bin/lib/usage-notice.json). */
export const USAGE_NOTICE_VERSION = "2026-04-01b";

/** @param {SimPaths} paths */
export function usageNoticePath(paths) {
  return join(paths.nemoclawDir, "usage-notice.json");
}

/** @param {SimPaths} paths */
export function hasAcceptedUsageNotice(paths) {
  try {
    return JSON.parse(readFileSync(usageNoticePath(paths), "utf8")).acceptedVersion === USAGE_NOTICE_VERSION;
  } catch {
    return false;
  }
}

/** `saveUsageNoticeAcceptance`: `{acceptedVersion, acceptedAt}`, 0600 in a 0700 directory. @param {SimPaths} paths */
export function saveUsageNoticeAcceptance(paths) {
  mkdirSync(paths.nemoclawDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(usageNoticePath(paths), JSON.stringify({ acceptedVersion: USAGE_NOTICE_VERSION, acceptedAt: new Date().toISOString() }, null, 2), 0o600);
}
