/**
 * Gateways: placed on every host their selector matches, named by NemoClaw's port rule, one per
 * port per host, with a driver that agrees with the host's pinned OpenShell version.
 */
import net from "node:net";
import { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_PORT, gatewayNameForPort, portForGatewayName } from "../names.js";
import { driverForVersion, parseOpenShellVersion } from "../openshell-version.js";
import { formatPath } from "../source.js";
import type { DesiredGateway, DesiredHost, GatewayDriver, SourceRef } from "../types.js";
import { reportSettingProblems, resolveSelector, type BuildContext } from "./context.js";

export const DEFAULT_BIND = "127.0.0.1";

export function placeGateways(ctx: BuildContext): void {
  const { yaml, bag } = ctx;
  const placedBy = new Map<string, string>(); // `${host}:${port}` → path of the entry that placed it
  for (const [index, gateway] of ctx.checked.items(ctx.checked.data.gateways)) {
    const at = ["gateways", index];
    const port = gatewayPort(gateway.port, gateway.name, at, ctx);
    if (port === undefined) continue;
    const bind = gateway.bind ?? DEFAULT_BIND;
    if (net.isIP(bind) === 0) {
      bag.error(yaml.ref([...at, "bind"]), `bind must be an IP address such as 127.0.0.1, not "${bind}"`);
      continue;
    }
    const placement = resolveSelector(gateway.hosts, [...at, "hosts"], ctx);
    if (placement === undefined) continue;
    const source = yaml.ref(at);
    reportSettingProblems(ctx, at, (target) => ctx.releaseRules!.gatewayProblems(desiredGateway(port, bind, gateway.driver, source), target), placement.hosts);
    const conflicts: string[] = [];
    for (const host of placement.hosts) {
      const key = `${host.name}:${port}`;
      const earlier = placedBy.get(key);
      if (earlier !== undefined) {
        bag.error(yaml.ref([...at, gateway.port === undefined ? "hosts" : "port"]), `host ${host.name} already has a gateway on port ${port} (from ${earlier}); one gateway per port per host`);
        continue;
      }
      placedBy.set(key, formatPath(at));
      const driver = gatewayDriver(gateway.driver, host, ctx);
      if (driver === "conflict") {
        conflicts.push(host.name);
        continue;
      }
      host.gateways.push(desiredGateway(port, bind, driver, source));
    }
    if (conflicts.length > 0) {
      const pinned = openshellOf(ctx.hostsByName.get(conflicts[0]!)!, ctx)!;
      bag.error(
        yaml.ref([...at, "driver"]),
        `driver ${gateway.driver} contradicts OpenShell ${pinned} pinned for ${conflicts.join(", ")}: that version runs ${driverForVersion(parseOpenShellVersion(pinned)!)} gateways`,
      );
    }
  }
}

/** The port a gateway entry means, from its port, its name, or both (which must agree). */
function gatewayPort(port: number | undefined, name: string | undefined, at: (string | number)[], ctx: BuildContext): number | undefined {
  if (name === undefined) return port ?? DEFAULT_GATEWAY_PORT;
  const named = portForGatewayName(name);
  if (named === undefined) {
    const message =
      name === `${DEFAULT_GATEWAY_NAME}-${DEFAULT_GATEWAY_PORT}`
        ? `the gateway on port ${DEFAULT_GATEWAY_PORT} is called "${DEFAULT_GATEWAY_NAME}", not "${name}"`
        : `gateway names are "nemoclaw" (port 8080) or "nemoclaw-<port>", not "${name}"`;
    ctx.bag.error(ctx.yaml.ref([...at, "name"]), message);
    return undefined;
  }
  if (port !== undefined && port !== named) {
    ctx.bag.error(ctx.yaml.ref([...at, "name"]), `name "${name}" does not match port ${port}: the gateway on port ${port} is "${gatewayNameForPort(port)}"`);
    return undefined;
  }
  return named;
}

/**
 * The driver for a gateway on a host: as written, or what the pinned OpenShell version runs.
 * "conflict" when both are known and disagree (that gateway could never be started).
 */
function gatewayDriver(written: GatewayDriver | undefined, host: DesiredHost, ctx: BuildContext): GatewayDriver | undefined | "conflict" {
  const era = pinnedDriver(host, ctx);
  if (written !== undefined && era !== undefined && written !== era) return "conflict";
  return written ?? era;
}

/** The OpenShell version the host is to run: its NemoClaw release's, or the one the file pins. */
function openshellOf(host: DesiredHost, ctx: BuildContext): string | undefined {
  return ctx.targets.get(host.name)?.openshell ?? host.openshell?.version;
}

function pinnedDriver(host: DesiredHost, ctx: BuildContext): GatewayDriver | undefined {
  const version = openshellOf(host, ctx);
  const pinned = version === undefined ? undefined : parseOpenShellVersion(version);
  return pinned === undefined ? undefined : driverForVersion(pinned);
}

export function desiredGateway(port: number, bind: string, driver: GatewayDriver | undefined, source: SourceRef): DesiredGateway {
  return { name: gatewayNameForPort(port), port, ...(driver === undefined ? {} : { driver }), bind, source };
}

/** Without a `gateways:` key, a host that carries sandboxes gets NemoClaw's default gateway. */
export function implicitDefaultGateway(host: DesiredHost, source: SourceRef, ctx: BuildContext): DesiredGateway {
  const gateway = desiredGateway(DEFAULT_GATEWAY_PORT, DEFAULT_BIND, pinnedDriver(host, ctx), source);
  host.gateways.push(gateway);
  return gateway;
}
