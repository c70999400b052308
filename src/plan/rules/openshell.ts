/**
 * Do the running gateways agree with the installed OpenShell (after releases.ts established what
 * is installed)? Order matters and follows the field scenarios:
 *   2. a gateway whose log shows a fatal migration is dead whatever `status` says: restart it with
 *      the installed binary when that is newer, else the host is blocked;
 *   3. CLI/gateway drift or protobuf mismatch → blocked with NemoClaw's preflight block, no steps.
 */
import { killProcess } from "../../host/system/commands.js";
import { renderArgv } from "../../transport/shell.js";
import type { HostContext } from "../context.js";
import { factKey } from "../fingerprint.js";
import { APPLY_PREFLIGHT_ACTION, checkSchema, gatewayDrift, preflightBlock, type PreflightWording } from "../preflight.js";
import { compareVersions, sameVersion, versionCore } from "../versions.js";
import { gatewayTarget } from "./common.js";
import { planGatewayStart } from "./gateways.js";

/**
 * The block's "Rerun `<command>`" names the fleet file, quoted as a shell would need it. A fleet
 * read from inventories alone has no file (its label, `<inventory>`, is no command to run), so the
 * block keeps NemoClaw's own "Rerun the command" (NemoClaw's `formatOpenShellStateRpcIssue`).
 */
export function preflightWording(ctx: HostContext): PreflightWording {
  const file = ctx.fleet.sourceFile;
  return file.startsWith("<") ? { action: APPLY_PREFLIGHT_ACTION } : { action: APPLY_PREFLIGHT_ACTION, command: renderArgv(["nemoclaw", "apply", file]) };
}

/**
 * Step 2: gateways whose log shows `migration N was previously applied but is missing…`.
 * Such a gateway is dead whatever `status` says. A restart through NemoClaw runs the
 * `openshell-gateway` installed beside the CLI; that helps only when the installed binary is the
 * CLI's version and the binary that crashed is older. What crashed is known when an older version
 * still runs, when observe could ask the binary NemoClaw's marker recorded for its version, or when
 * that binary is the installed one (then nothing installed is new enough); otherwise its version is
 * unknown, and nothing is restarted on a guess.
 * Returns the names handled here (the drift check must not count them).
 */
export function planFatalMigrations(ctx: HostContext): Set<string> {
  const handled = new Set<string>();
  const installed = ctx.version;
  if (installed === null || ctx.installStep) return handled;
  for (const gateway of ctx.observedGateways()) {
    const fatal = gateway.health.fatalMigration;
    if (fatal === null) continue;
    handled.add(gateway.name);
    ctx.gateways.set(gateway.name, { state: "unavailable" });
    const target = gatewayTarget(gateway.name);
    if (gateway.runningVersion.state === "unknown") {
      ctx.unknown(factKey.gateway(gateway.name), gateway.runningVersion, "the crashed gateway is not restarted", target);
      continue;
    }
    const binary = ctx.observed.gatewayBinary;
    if (binary.state === "unknown") {
      ctx.unknown("gatewayBinary", binary, `gateway ${gateway.name} is not restarted`, target);
      continue;
    }
    const installedBinary = binary.value;
    const restartRunsInstalled =
      gateway.driver === "host-process" &&
      installedBinary.installed &&
      installedBinary.version !== null &&
      versionCore(installedBinary.version) !== null &&
      sameVersion(installedBinary.version, installed);
    const recorded = gateway.binaryVersion?.state === "known" ? gateway.binaryVersion.value : null;
    const crashed =
      gateway.runningVersion.value ?? recorded ?? (gateway.binary !== null && gateway.binary === installedBinary.path ? installedBinary.version : null);
    if (crashed === null) {
      ctx.unknown(
        factKey.gateway(gateway.name),
        { reason: `the version of the binary that crashed (${gateway.binary ?? "not recorded"}) is not known`, excerpt: fatal },
        "the crashed gateway is not restarted; `nemoclaw onboard --resume` restarts it with the installed OpenShell",
        target,
      );
      continue;
    }
    const crashedOlder = versionCore(crashed) !== null && compareVersions(crashed, installed) < 0;
    const desired = ctx.desiredGateway(gateway.name);
    if (restartRunsInstalled && crashedOlder && desired) {
      planGatewayStart(ctx, desired, {
        kind: "gateway-recover",
        driver: "host-process",
        reason: {
          summary: `gateway ${gateway.name} (${gateway.binary ?? "host-process gateway"}, ${crashed}) dies on a database migrated by a newer OpenShell; restart it with the installed ${installed}`,
          observed: { fact: factKey.gateway(gateway.name), value: fatal },
        },
        risk: "disruptive",
        before: gateway.pid !== null ? [killProcess(gateway.pid)] : [],
        facts: ["gatewayBinary"],
        ...(gateway.pid !== null ? { params: { stopPid: gateway.pid } } : {}),
        hint: "If the restarted gateway still reports a migration error, the database is newer than the installed OpenShell: move the host to a NemoClaw release whose OpenShell is at least as new as the one that migrated it (nemoclaw.version; docs/releases.md).",
      });
      continue;
    }
    if (restartRunsInstalled && crashedOlder) {
      ctx.note("warning", `gateway ${gateway.name} crashed (${fatal}) and is not in the fleet file; restart it with \`nemoclaw onboard --resume\``, { target });
      continue;
    }
    ctx.blocked = true;
    ctx.block = preflightBlock({ kind: "drift", drift: gatewayDrift(gateway, crashed, installed) }, installed, preflightWording(ctx));
    ctx.note(
      "warning",
      `gateway ${gateway.name} crashed: ${fatal}. Nothing installed is newer than the OpenShell that migrated its database, and a gateway can never be downgraded onto a database a newer one migrated; choose a NemoClaw release whose OpenShell is at least that new (nemoclaw.version; on a host without NemoClaw, openshell.version)`,
      { target, fact: factKey.gateway(gateway.name) },
    );
    return handled;
  }
  return handled;
}

/** Step 3: schema drift blocks the whole host. False when planning must stop. */
export function planSchemaCheck(ctx: HostContext, ignore: ReadonlySet<string>): boolean {
  if (ctx.version === null || ctx.installStep) return true;
  const check = checkSchema(ctx.observed, ctx.version, ignore);
  if (check.state === "clean") return true;
  if (check.state === "unknown") {
    ctx.unknown(check.fact, check, "without it a CLI/gateway schema drift cannot be ruled out, so nothing that trusts sandbox state is planned");
    return false;
  }
  ctx.blocked = true;
  ctx.block = preflightBlock(check.issue, ctx.version, preflightWording(ctx));
  return false;
}
