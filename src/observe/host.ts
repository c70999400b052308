/**
 * Observe one host: send the probe in ONE exec, split its output into sections, parse each with
 * its parser and assemble the typed ObservedHost. Never throws for host-side problems: a host that
 * cannot be reached, or a probe that does not finish, becomes `unreachable` with the cause.
 */
import { performance } from "node:perf_hooks";
import type { DesiredHost } from "../config/types.js";
import { type Connection, TransportError } from "../transport/types.js";
import { assembleGateways } from "./gateways.js";
import { parseBackupManifest } from "../host/nemoclaw/snapshots.js";
import { parseDgxModel } from "../host/system/dgx.js";
import { parseDockerInfo } from "../host/docker/info.js";
import { parseFleetLock } from "../host/system/fleet-lock.js";
import { parseNvidiaSmi } from "../host/system/nvidia-smi.js";
import { parseOsRelease } from "../host/system/os-release.js";
import { parseRegistry } from "../host/nemoclaw/registry.js";
import { parseShieldsFile, sandboxOfShieldsFile } from "../host/nemoclaw/shields.js";
import { excerptOf, known, unknown } from "../host/output.js";
import { NOT_INSTALLED, parseBinaryVersion } from "../host/binary-version.js";
import { buildProbeScript, newProbeNonce } from "../host/probe/script.js";
import { captured, parseProbeOutput, type ProbeOutput, type ProbeSection } from "../host/probe/sections.js";
import type { BinaryFacts, Fact, HostBackup, ObservedHost, Registry, ShieldsState, SystemFacts } from "./types.js";

/** Generous: a host with several gateways and sandboxes runs dozens of bounded commands. */
export const DEFAULT_PROBE_TIMEOUT_MS = 180_000;

export interface ObserveOptions {
  /** Bound for the whole probe. */
  timeoutMs?: number;
  now?: () => Date;
  /** Bound for each command inside the probe, seconds. */
  commandTimeoutSec?: number;
  /** Check guard files inside every sandbox (default true); without, each sandbox's guards are unknown. */
  sandboxGuards?: boolean;
}

export async function observeHost(host: DesiredHost, connection: Connection, options: ObserveOptions = {}): Promise<ObservedHost> {
  const now = options.now ?? (() => new Date());
  const observedAt = now().toISOString();
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const nonce = newProbeNonce();
  const script = buildProbeScript({
    nonce,
    gatewayNames: host.gateways.map((gateway) => gateway.name),
    ...(options.commandTimeoutSec !== undefined ? { commandTimeoutSec: options.commandTimeoutSec } : {}),
    ...(options.sandboxGuards !== undefined ? { sandboxGuards: options.sandboxGuards } : {}),
  });
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await connection.run({ script }, { timeoutMs });
    const probe = parseProbeOutput(result.stdout.toString("utf8"), nonce);
    let problem: ObservedHost["unreachable"] = null;
    if (result.timedOut) {
      problem = { kind: "timeout", message: `the probe did not finish within ${timeoutMs} ms` };
    } else if (!probe.finished) {
      const stderr = excerptOf(result.stderr.toString("utf8"));
      const ending = result.exitCode !== null ? `exited ${result.exitCode}` : `was killed by ${result.signal ?? "a signal"}`;
      problem = { kind: "probe-failed", message: `the probe ${ending} before it finished${stderr ? `: ${stderr}` : ""}` };
    }
    return assembleHost(host.name, probe, { observedAt, durationMs: elapsed(), unreachable: problem });
  } catch (error) {
    return unreachableHost(host.name, causeOf(error), observedAt, elapsed());
  }
}

function causeOf(error: unknown): { kind: string; message: string } {
  if (error instanceof TransportError) return { kind: error.kind, message: error.cause_ };
  return { kind: "error", message: error instanceof Error ? error.message : String(error) };
}

/** An ObservedHost for a host that was not observed at all: every fact unknown, saying why. */
export function unreachableHost(host: string, cause: { kind: string; message: string }, observedAt: string, durationMs: number): ObservedHost {
  const none = <T>(): Fact<T> => unknown(`host not observed (${cause.kind}): ${cause.message}`);
  return {
    host,
    unreachable: cause,
    observedAt,
    durationMs,
    system: none(),
    gpus: none(),
    docker: none(),
    openshell: none(),
    gatewayBinary: none(),
    nemoclaw: none(),
    activeGateway: none(),
    gateways: none(),
    registry: none(),
    shields: none(),
    hostBackups: none(),
    fleetLock: none(),
  };
}

export function assembleHost(
  host: string,
  probe: ProbeOutput,
  meta: { observedAt: string; durationMs: number; unreachable: ObservedHost["unreachable"] },
): ObservedHost {
  const facts = new SectionReader(probe);
  const openshell = facts.binary("openshell-version", "openshell");
  const registry = facts.registry();
  return {
    host,
    unreachable: meta.unreachable,
    observedAt: meta.observedAt,
    durationMs: meta.durationMs,
    system: facts.system(),
    gpus: facts.one("nvidia-smi", "", (section) => (section.absent ? known([]) : parseNvidiaSmi(captured(section)))),
    docker: facts.one("docker-info", "", (section) =>
      section.absent ? known({ reachable: false, serverVersion: null, error: "docker is not installed" }) : parseDockerInfo(captured(section)),
    ),
    openshell,
    gatewayBinary: facts.binary("gateway-binary-version", "openshell-gateway"),
    nemoclaw: facts.binary("nemoclaw-version", "nemoclaw"),
    activeGateway: facts.activeGateway(),
    gateways: probe.finished
      ? assembleGateways(probe, { openshell })
      : unknown("the probe did not finish, so the list of gateways may be incomplete"),
    registry,
    shields: facts.shields(registry),
    hostBackups: facts.hostBackups(),
    fleetLock: facts.one("fleet-lock", "", (section) =>
      section.absent ? known(null) : section.exitCode === 0 ? parseFleetLock(section.body) : unknown("lock.json could not be read", section.body),
    ),
  };
}

/** Turns sections into facts; a section the probe never reached is an unknown fact saying so. */
class SectionReader {
  private readonly meta: Map<string, string>;

  constructor(private readonly probe: ProbeOutput) {
    this.meta = new Map(
      (probe.get("meta")?.body ?? "").split("\n").flatMap((line) => {
        const at = line.indexOf("=");
        return at > 0 ? [[line.slice(0, at), line.slice(at + 1)] as [string, string]] : [];
      }),
    );
  }

  one<T>(name: string, key: string, parse: (section: ProbeSection) => Fact<T>): Fact<T> {
    const section = this.probe.get(name, key);
    if (section === undefined) return unknown(`the probe ended before it reported ${name}`);
    if (!section.complete) return unknown(`the probe was cut off while reading ${name}`, section.body);
    return parse(section);
  }

  /** Sections that exist only when the probe reached the one reported after them. */
  reachedPast(name: string): boolean {
    return this.probe.get(name)?.complete === true;
  }

  system(): Fact<SystemFacts> {
    const text = (name: string): string | null => {
      const section = this.probe.get(name);
      return section !== undefined && section.exitCode === 0 ? section.body.trim() : null;
    };
    return this.one("uname-m", "", (section) => {
      const arch = section.body.trim();
      if (section.exitCode !== 0 || !/^[A-Za-z0-9_.-]+$/.test(arch)) return unknown("uname -m did not name the machine architecture", section.body);
      const osRelease = text("os-release");
      return known({
        hostname: text("hostname") ?? "",
        os: osRelease === null ? null : parseOsRelease(osRelease),
        arch,
        kernel: text("uname-r") ?? "",
        dgxModel: parseDgxModel(text("dgx-release"), text("dmi-product")),
      });
    });
  }

  /** The first located binary in NemoClaw's resolution order (the probe reports them in it). */
  binary(name: string, tool: string): Fact<BinaryFacts> {
    const sections = this.probe.all(name);
    if (sections.length === 0) return unknown(`the probe ended before it looked for ${tool}`);
    const located = sections.find((section) => section.key !== "");
    if (located === undefined) return known(NOT_INSTALLED);
    if (!located.complete) return unknown(`the probe was cut off while running ${tool} --version`, located.body);
    return parseBinaryVersion(captured(located), tool, located.key);
  }

  /** `OPENSHELL_GATEWAY` wins over the user's `active_gateway`, which shadows the system one. */
  activeGateway(): Fact<string | null> {
    const fromEnv = this.meta.get("openshell_gateway_env");
    if (fromEnv) return known(fromEnv);
    for (const layer of ["user", "system"]) {
      const section = this.probe.get("active-gateway", layer);
      if (section === undefined) return unknown("the probe ended before it read active_gateway");
      if (section.absent) continue;
      if (section.exitCode !== 0) return unknown(`${layer} active_gateway could not be read`, section.body);
      const name = section.body.trim();
      if (name !== "") return known(name);
    }
    return known(null);
  }

  registry(): Fact<Registry> {
    const lock = this.probe.get("registry-lock");
    const locked = lock !== undefined && !lock.absent;
    return this.one("registry", "", (section) => {
      if (section.absent) return known({ defaultSandbox: null, entries: [], locked });
      if (section.exitCode !== 0) return unknown("sandboxes.json could not be read", section.body);
      return parseRegistry(section.body, locked);
    });
  }

  /** A state file per sandbox that has one; `mutable_default` for registered sandboxes without. */
  shields(registry: Fact<Registry>): Fact<ShieldsState[]> {
    if (!this.reachedPast("fleet-lock")) return unknown("the probe ended before it read the shields state files");
    const states = new Map<string, ShieldsState>();
    for (const section of this.probe.all("shields")) {
      const sandbox = sandboxOfShieldsFile(section.key);
      if (sandbox === null) continue;
      states.set(sandbox, section.exitCode === 0 ? parseShieldsFile(sandbox, section.body) : { sandbox, mode: "error" });
    }
    if (registry.state === "known") {
      for (const entry of registry.value.entries) {
        if (!states.has(entry.name)) states.set(entry.name, { sandbox: entry.name, mode: "mutable_default" });
      }
    }
    return known([...states.values()].sort((a, b) => a.sandbox.localeCompare(b.sandbox)));
  }

  /** Backups with a valid manifest; a directory without one is not a backup. */
  hostBackups(): Fact<HostBackup[]> {
    if (!this.reachedPast("fleet-lock")) return unknown("the probe ended before it read the backup manifests");
    const home = this.meta.get("home") ?? "~";
    const backups: HostBackup[] = [];
    for (const section of this.probe.all("backup-manifest")) {
      if (section.exitCode !== 0) continue;
      const backup = parseBackupManifest(section.body, `${home}/.nemoclaw/rebuild-backups/${section.key}`);
      if (backup.state === "known") backups.push(backup.value);
    }
    return known(backups.sort((a, b) => a.sandbox.localeCompare(b.sandbox) || a.timestamp.localeCompare(b.timestamp)));
  }
}
