/**
 * `nemoclaw facts` for humans: a compact block per host — system, installed versions, each
 * gateway with driver, running version and health, its sandboxes with guard problems, then the
 * registry, shields, backups and any fleet lock. Unknown facts say why, in yellow.
 */
import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import { sandboxGuardProblems } from "../host/nemoclaw/guard-safety.js";
import type { BinaryFacts, Fact, GatewayHealthStatus, ObservedFleet, ObservedGateway, ObservedHost, ObservedSandbox } from "../observe/types.js";
import type { Colors } from "./color.js";
import { unreachableLabel } from "../observe/unreachable.js";

export function renderFactsHuman(observed: ObservedFleet, options: { colors: Colors }): string {
  const c = options.colors;
  const blocks = observed.hosts.map((host) => renderHost(host, c));
  return `${blocks.join("\n")}\n${summary(observed, c)}\n`;
}

function renderHost(host: ObservedHost, c: Colors): string {
  if (host.unreachable !== null && host.system.state === "unknown") {
    return `${c.bold(host.host)}  ${c.red(`✗ ${unreachableLabel(host.unreachable)}`)}: ${host.unreachable.message}\n`;
  }
  const lines = [`${c.bold(host.host)}  ${show(host.system, c, (system) => [system.arch, system.dgxModel, system.os?.prettyName, system.kernel && `kernel ${system.kernel}`].filter(Boolean).join(" · "))}`];
  if (host.unreachable !== null) lines.push(`  ${c.red(`✗ ${unreachableLabel(host.unreachable, "incomplete")}`)}: ${host.unreachable.message}`);
  lines.push(row("GPUs", show(host.gpus, c, (gpus) => (gpus.length === 0 ? c.dim("none") : gpus.map((gpu) => `${gpu.name}${gpu.driverVersion ? ` (driver ${gpu.driverVersion})` : ""}`).join(", ")))));
  lines.push(row("Docker", show(host.docker, c, (docker) => (docker.reachable ? `${docker.serverVersion ?? "reachable"}` : c.red(`not reachable: ${docker.error ?? "unknown error"}`)))));
  lines.push(row("OpenShell", [binary("CLI", host.openshell, c), binary("gateway binary", host.gatewayBinary, c)].join(" · ")));
  lines.push(row("NemoClaw", binary("", host.nemoclaw, c).trim()));
  lines.push(row("Active", show(host.activeGateway, c, (name) => name ?? c.dim("none"))));
  lines.push(...gatewayLines(host, c));
  lines.push(...registryLines(host, c));
  lines.push(row("Shields", show(host.shields, c, (states) => {
    const notable = states.filter((state) => state.mode !== "mutable_default");
    return notable.length === 0 ? c.dim("default") : notable.map((state) => `${state.sandbox} ${state.mode.replaceAll("_", " ")}`).join(", ");
  })));
  lines.push(row("Backups", show(host.hostBackups, c, (backups) => {
    if (backups.length === 0) return c.dim("none");
    const bySandbox = new Map<string, string[]>();
    for (const backup of backups) bySandbox.set(backup.sandbox, [...(bySandbox.get(backup.sandbox) ?? []), backup.timestamp]);
    return [...bySandbox].map(([sandbox, times]) => `${sandbox} ×${times.length} (latest ${times.sort().at(-1)})`).join(", ");
  })));
  lines.push(row("Fleet lock", show(host.fleetLock, c, (lock) => {
    if (lock === null) return c.dim("none");
    const holder = `held by ${lock.user}@${lock.machine} (run ${lock.runId}, pid ${lock.pid}) since ${lock.startedAt}`;
    // A lease that ran out before the host was observed is no run's any more: apply reclaims it (docs/apply.md, Locks).
    return Date.parse(lock.expiresAt) < Date.parse(host.observedAt)
      ? c.red(`${holder}; its lease expired ${lock.expiresAt}, so its run is gone or stuck: the next apply reclaims it, \`nemoclaw unlock ${host.host}\` removes it`)
      : c.yellow(`${holder}, expires ${lock.expiresAt}`);
  })));
  return `${lines.join("\n")}\n`;
}

function row(label: string, text: string): string {
  return `  ${label.padEnd(10)} ${text}`.trimEnd();
}

function show<T>(fact: Fact<T>, c: Colors, render: (value: T) => string): string {
  if (fact.state === "known") return render(fact.value);
  const excerpt = fact.excerpt.split("\n")[0]?.trim() ?? "";
  const adds = excerpt !== "" && !fact.reason.includes(excerpt.slice(0, 60));
  return c.yellow(`unknown: ${fact.reason}`) + (adds ? c.dim(` — ${excerpt}`) : "");
}

function binary(label: string, fact: Fact<BinaryFacts>, c: Colors): string {
  const prefix = label ? `${label} ` : "";
  return prefix + show(fact, c, (found) => (found.installed ? `${found.version ?? "?"}${c.dim(found.path ? ` (${found.path})` : "")}` : c.dim("not installed")));
}

const HEALTH_MARK: Record<GatewayHealthStatus, (c: Colors) => string> = {
  healthy: (c) => c.green("●"),
  unhealthy: (c) => c.red("✗"),
  stopped: (c) => c.yellow("○"),
  unreachable: (c) => c.red("✗"),
  unknown: (c) => c.yellow("?"),
};

function gatewayLines(host: ObservedHost, c: Colors): string[] {
  if (host.gateways.state === "unknown") return [row("Gateways", show(host.gateways, c, () => ""))];
  if (host.gateways.value.length === 0) return [row("Gateways", c.dim("none"))];
  const cli = host.openshell.state === "known" ? host.openshell.value.version : null;
  const width = Math.max(...host.gateways.value.map((gateway) => gateway.name.length));
  return [
    row("Gateways", ""),
    ...host.gateways.value.flatMap((gateway) => [
      `    ${HEALTH_MARK[gateway.health.status](c)} ${gateway.name.padEnd(width)}  ${gatewayDetails(gateway, cli, c)}`,
      ...sandboxLines(gateway, c),
    ]),
  ];
}

function gatewayDetails(gateway: ObservedGateway, cli: string | null, c: Colors): string {
  const parts = [gateway.port !== null ? `:${gateway.port}` : null, gateway.driver, gateway.registered ? null : c.yellow("not registered")];
  const version = show(gateway.runningVersion, c, (running) => {
    if (running === null) return c.dim("not running");
    return `${running}${drifted(running, cli) ? c.red(` ≠ CLI ${cli}`) : ""}`;
  });
  parts.push(version);
  if (gateway.pid !== null) parts.push(`pid ${gateway.pid}`);
  const health = `${gateway.health.status}: ${gateway.health.reason}`;
  parts.push(gateway.health.status === "healthy" ? c.green(health) : gateway.health.status === "stopped" || gateway.health.status === "unknown" ? c.yellow(health) : c.red(health));
  return parts.filter((part) => part !== null).join("  ");
}

/** The running gateway and the installed CLI differ (NemoClaw refuses state work then). */
function drifted(running: string, cli: string | null): boolean {
  const a = parseOpenShellVersion(running);
  const b = cli === null ? undefined : parseOpenShellVersion(cli);
  return a !== undefined && b !== undefined && compareOpenShellVersions(a, b) !== 0;
}

function sandboxLines(gateway: ObservedGateway, c: Colors): string[] {
  if (gateway.sandboxes.state === "unknown") return [`        ${show(gateway.sandboxes, c, () => "")}`];
  if (gateway.sandboxes.value.length === 0) return [`        ${c.dim("no sandboxes")}`];
  const width = Math.max(...gateway.sandboxes.value.map((sandbox) => sandbox.name.length));
  return gateway.sandboxes.value.map((sandbox) => `        ${sandbox.name.padEnd(width)}  ${sandbox.phase === "Ready" ? sandbox.phase : c.yellow(sandbox.phase)}  ${guardSummary(sandbox, c)}`);
}

function guardSummary(sandbox: ObservedSandbox, c: Colors): string {
  return show(sandbox.guards, c, (guards) => {
    const problems = sandboxGuardProblems(guards);
    const agent = guards.agentGatewayPids.length > 0 ? `agent gateway pid ${guards.agentGatewayPids.join(", ")}` : c.yellow("agent gateway not running");
    return `${problems.length === 0 ? c.green("guards ok") : c.red(problems.join("; "))} · ${agent}`;
  });
}

function registryLines(host: ObservedHost, c: Colors): string[] {
  if (host.registry.state === "unknown") return [row("Registry", show(host.registry, c, () => ""))];
  const registry = host.registry.value;
  const head = `${registry.entries.length} sandbox${registry.entries.length === 1 ? "" : "es"}${registry.defaultSandbox ? `, default ${registry.defaultSandbox}` : ""}${registry.locked ? c.yellow(", locked by a NemoClaw command") : ""}`;
  const gateways = host.gateways.state === "known" ? host.gateways.value : null;
  const entries = registry.entries.map((entry) => {
    const gateway = gateways?.find((candidate) => candidate.name === entry.gatewayName);
    let where = "";
    if (gateways !== null && gateway === undefined) where = c.yellow(" (gateway not found)");
    else if (gateway?.sandboxes.state === "known" && !gateway.sandboxes.value.some((sandbox) => sandbox.name === entry.name)) {
      where = c.yellow(" (not on its gateway)");
    }
    return `        ${entry.name} → ${entry.gatewayName}${where}`;
  });
  return [row("Registry", head), ...entries];
}

function summary(observed: ObservedFleet, c: Colors): string {
  const unreachable = observed.hosts.filter((host) => host.unreachable !== null).length;
  const gateways = observed.hosts.flatMap((host) => (host.gateways.state === "known" ? host.gateways.value : []));
  const healthy = gateways.filter((gateway) => gateway.health.status === "healthy").length;
  const sandboxes = gateways.flatMap((gateway) => (gateway.sandboxes.state === "known" ? gateway.sandboxes.value : []));
  const guarded = sandboxes.filter((sandbox) => sandbox.guards.state === "known" && sandboxGuardProblems(sandbox.guards.value).length > 0).length;
  const parts = [
    `${observed.hosts.length} host${observed.hosts.length === 1 ? "" : "s"}`,
    unreachable > 0 ? c.red(`${unreachable} unreachable`) : null,
    `${gateways.length} gateway${gateways.length === 1 ? "" : "s"} (${healthy} healthy)`,
    `${sandboxes.length} sandbox${sandboxes.length === 1 ? "" : "es"}`,
    guarded > 0 ? c.red(`${guarded} with guard problems`) : null,
  ];
  return parts.filter((part) => part !== null).join(", ");
}
