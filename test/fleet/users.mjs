// @ts-check
/**
 * One OS user per test host (root only). Names are `ncft<run id>-<n>` with the GECOS field
 * `nemoclaw-test-fleet`, so leftovers of a crashed run can be recognised and swept.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { execFileAsync } from "./proc.mjs";

export const USER_GECOS = "nemoclaw-test-fleet";
export const USER_PATTERN = /^ncft([0-9a-z]{5})-[0-9a-z]+$/;

/**
 * @param {string} runId
 * @param {number} index
 */
export function userName(runId, index) {
  return `ncft${runId}-${index.toString(36)}`;
}

/**
 * /etc/passwd is locked by every user tool; two fleets starting at once take turns.
 * @param {string} file
 * @param {string[]} args
 * @param {string} [input]
 */
async function withPasswdLockRetry(file, args, input) {
  for (let attempt = 0; ; attempt++) {
    try {
      const child = execFileAsync(file, args);
      if (input !== undefined) child.child.stdin?.end(input);
      return await child;
    } catch (error) {
      const text = String(/** @type {{ stderr?: string }} */ (error).stderr ?? error);
      if (attempt < 50 && /lock|try again/i.test(text)) {
        await sleep(100 + Math.random() * 200);
        continue;
      }
      throw new Error(`${file} ${args.join(" ")} failed: ${text.trim()}`);
    }
  }
}

/**
 * Create users in one batch. newusers insists on hashing a password, so each gets a random one
 * that is then replaced by `*` (no password, but not locked: with PAM off sshd refuses locked
 * accounts even for key authentication).
 * @param {{ name: string, home: string, shell: string }[]} users
 * @returns {Promise<Map<string, { uid: number, gid: number }>>}
 */
export async function createUsers(users) {
  if (users.length === 0) return new Map();
  const lines = users.map((u) => `${u.name}:${randomBytes(24).toString("hex")}:::${USER_GECOS}:${u.home}:${u.shell}\n`).join("");
  await withPasswdLockRetry("newusers", [], lines);
  await withPasswdLockRetry("chpasswd", ["-e"], users.map((u) => `${u.name}:*\n`).join(""));
  const ids = new Map();
  const passwd = await readFile("/etc/passwd", "utf8");
  for (const line of passwd.split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name && users.some((u) => u.name === name)) ids.set(name, { uid: Number(uid), gid: Number(gid) });
  }
  for (const u of users) {
    if (!ids.has(u.name)) throw new Error(`user ${u.name} was not created`);
  }
  return ids;
}

/**
 * @param {string[]} names
 */
export async function deleteUsers(names) {
  for (const name of names) {
    try {
      await withPasswdLockRetry("userdel", [name]);
    } catch (error) {
      // Another sweep may remove the same user between userdel's lookup and its edit of
      // /etc/passwd ("cannot remove entry"): gone is what was wanted.
      if (await userExists(name)) throw error;
    }
  }
}

/** @param {string} name */
async function userExists(name) {
  const passwd = await readFile("/etc/passwd", "utf8");
  return passwd.split("\n").some((line) => line.startsWith(`${name}:`));
}

/**
 * Users left by fleets (name pattern and GECOS), with their run id and uid.
 * @returns {Promise<{ name: string, runId: string, uid: number }[]>}
 */
export async function fleetUsers() {
  const passwd = await readFile("/etc/passwd", "utf8");
  const found = [];
  for (const line of passwd.split("\n")) {
    const [name, , uid, , gecos] = line.split(":");
    const match = name ? USER_PATTERN.exec(name) : null;
    if (name && match?.[1] && gecos === USER_GECOS) found.push({ name, runId: match[1], uid: Number(uid) });
  }
  return found;
}
