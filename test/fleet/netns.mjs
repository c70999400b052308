// @ts-check
/**
 * A private network for hosts behind the bastion (root only). The namespace holds the bastion
 * and the hidden hosts; a veth pair links it to this machine, and the only route from here leads
 * to the bastion's end of it. The hosts listen on addresses of the namespace's own loopback, which
 * nothing outside the namespace can route to. No traffic leaves the machine.
 *
 *   this machine 10.200.N.1/30 ── veth ── 10.200.N.2/30 bastion (namespace)
 *                                           10.201.N.k      hidden host k (namespace loopback)
 *
 * 10.201.N.0/24 gets an `unreachable` route here, so a direct attempt fails at once with "no
 * route to host" instead of wandering off through the default gateway.
 */
import { execFileAsync } from "./proc.mjs";

export const NETNS_PATTERN = /^ncft([0-9a-z]{5})$/;

/** @param {string[]} args */
async function ip(args) {
  try {
    return (await execFileAsync("ip", args)).stdout;
  } catch (error) {
    throw new Error(`ip ${args.join(" ")} failed: ${String(/** @type {{ stderr?: string }} */ (error).stderr ?? error).trim()}`);
  }
}

/** A /24 number N not used by any address or route on this machine (or another fleet). */
async function freeSubnet() {
  const used = (await ip(["-4", "addr"])) + (await ip(["-4", "route"]));
  for (let attempt = 0; attempt < 200; attempt++) {
    const n = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`10.200.${n}.`) && !used.includes(`10.201.${n}.`)) return n;
  }
  throw new Error("no free 10.200.N.0/30 subnet for the test network");
}

/** @typedef {{ namespace: string, outsideLink: string, hiddenRoute: string, bastionAddress: string, hostAddresses: string[] }} PrivateNetwork */

/**
 * @param {string} runId
 * @param {number} hiddenHosts
 * @returns {Promise<PrivateNetwork>}
 */
export async function createPrivateNetwork(runId, hiddenHosts) {
  if (hiddenHosts > 250) throw new Error("at most 250 hosts fit behind one bastion");
  const namespace = `ncft${runId}`;
  const outsideLink = `ncft${runId}o`;
  const insideLink = `ncft${runId}i`;
  const n = await freeSubnet();
  const hiddenRoute = `10.201.${n}.0/24`;
  await ip(["netns", "add", namespace]);
  try {
    await ip(["link", "add", outsideLink, "type", "veth", "peer", "name", insideLink]);
    await ip(["link", "set", insideLink, "netns", namespace]);
    await ip(["addr", "add", `10.200.${n}.1/30`, "dev", outsideLink]);
    await ip(["link", "set", outsideLink, "up"]);
    await ip(["-n", namespace, "addr", "add", `10.200.${n}.2/30`, "dev", insideLink]);
    await ip(["-n", namespace, "link", "set", insideLink, "up"]);
    await ip(["-n", namespace, "link", "set", "lo", "up"]);
    await ip(["-n", namespace, "addr", "add", hiddenRoute, "dev", "lo"]);
    await ip(["route", "add", "unreachable", hiddenRoute]);
  } catch (error) {
    await deletePrivateNetwork({ namespace, outsideLink, hiddenRoute });
    throw error;
  }
  return {
    namespace,
    outsideLink,
    hiddenRoute,
    bastionAddress: `10.200.${n}.2`,
    hostAddresses: Array.from({ length: hiddenHosts }, (_, k) => `10.201.${n}.${k + 1}`),
  };
}

/**
 * Pids of processes in the namespace (to stop before it is deleted).
 * @param {string} namespace
 * @returns {Promise<number[]>}
 */
export async function namespacePids(namespace) {
  try {
    return (await ip(["netns", "pids", namespace])).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Each part may already be gone (a crashed start); removing it again is not an error.
 * @param {{ namespace: string, outsideLink?: string, hiddenRoute?: string }} network
 */
export async function deletePrivateNetwork(network) {
  await ip(["netns", "del", network.namespace]).catch(() => undefined);
  // Deleting the namespace destroys the veth pair; this only matters if it was never moved in.
  if (network.outsideLink) await ip(["link", "del", network.outsideLink]).catch(() => undefined);
  if (network.hiddenRoute) await ip(["route", "del", "unreachable", network.hiddenRoute]).catch(() => undefined);
}

/** @returns {Promise<string[]>} */
export async function fleetNamespaces() {
  const out = await ip(["netns", "list"]).catch(() => "");
  return out
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => NETNS_PATTERN.test(name));
}
