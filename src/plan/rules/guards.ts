/**
 * Guard files and stale locks (design scenario 2). After a pod/container recreate the proxy env
 * and the critical preloads can be gone or unsafe, and a stale OpenClaw gateway lock is left
 * behind; relaunching the agent gateway then crash-loops unguarded. The tool never writes guard
 * files itself: it clears exactly the stale locks observed and lets NemoClaw's own mechanism of
 * the release restore the guards while it relaunches (real-cli-2026-12 §5, §14.5):
 *   - from v0.0.71 `<sb> gateway restart` re-emits the guard chain and relaunches a running agent
 *     gateway; `<sb> recover` relaunches a stopped one, restoring the guard chain first;
 *   - v0.0.64–v0.0.70 `recover` restores the guards from the packaged preloads when it relaunches;
 *     a running gateway is left alone (its guards come back at its next relaunch);
 *   - v0.0.35–v0.0.63 `recover` relaunches without guards when they are missing, so only a
 *     rebuild (backed up first) restores them; with intact guards it is safe;
 *   - before v0.0.35 there is no `recover` at all.
 */
import { GATEWAY_LOCK_PATH, removeLockFiles } from "../../host/nemoclaw/guard-repair.js";
import { GUARD_FILE_PATHS } from "../../host/nemoclaw/guards.js";
import { guardFileProblem } from "../../host/nemoclaw/guard-safety.js";
import { gatewayRestart, rebuild, recover, type Releases } from "../../host/nemoclaw/commands.js";
import { nemoclawHas, recoverBehaviour } from "../../host/nemoclaw/releases.js";
import type { SandboxGuards } from "../../observe/types.js";
import type { HostContext, LiveSandbox } from "../context.js";
import { factKey } from "../fingerprint.js";
import type { Step } from "../types.js";
import { planBackup } from "./backups.js";
import { sandboxTarget } from "./common.js";

export function planGuards(ctx: HostContext): void {
  const release = ctx.release;
  if (release === null) return;
  for (const state of ctx.sandboxes.values()) {
    if (state.kind === "present") planSandboxGuards(ctx, release, state.live);
  }
}

function planSandboxGuards(ctx: HostContext, release: Releases, live: LiveSandbox): void {
  const { gateway, sandbox } = live;
  const target = sandboxTarget(sandbox.name, gateway.name);
  const fact = factKey.sandbox(gateway.name, sandbox.name);
  if (sandbox.guards.state === "unknown") {
    ctx.unknown(fact, sandbox.guards, `guards of ${sandbox.name} are not checked`, target);
    return;
  }
  const guards = sandbox.guards.value;
  const unprobed = GUARD_FILE_PATHS.filter((path) => !guards.files.some((file) => file.path === path));
  if (unprobed.length > 0) {
    ctx.unknown(fact, { reason: `not probed: ${unprobed.join(", ")}`, excerpt: "" }, `guards of ${sandbox.name} are not checked`, target);
    return;
  }
  const problems = guardProblems(guards);
  const stale = guards.locks.filter((lock) => lock.stale);
  const removable = stale.filter((lock) => GATEWAY_LOCK_PATH.test(lock.path)).map((lock) => lock.path);
  for (const lock of stale) {
    if (!GATEWAY_LOCK_PATH.test(lock.path)) ctx.note("warning", `stale lock ${lock.path} in ${sandbox.name} is not an OpenClaw gateway lock; it is not removed`, { target });
  }
  const unreadable = guards.unreadableLockDirs ?? [];
  if (unreadable.length > 0) {
    ctx.unknown(fact, { reason: `lock directories not readable: ${unreadable.join(", ")}`, excerpt: "" }, "a stale lock there cannot be ruled out or removed", target);
  }
  const running = guards.agentGatewayPids.length > 0;
  if (problems.length === 0 && removable.length === 0 && running) return;
  if (gateway.driver === "unknown") {
    ctx.note("warning", `the agent gateway of ${sandbox.name} needs repair (${[...problems, ...removable].join("; ")}) but the gateway driver is unknown`, { target, fact: factKey.gateway(gateway.name) });
    return;
  }
  const facts = [fact, factKey.gateway(gateway.name)];
  const behaviour = recoverBehaviour(release.nemoclaw);
  const why = problems.join("; ");
  const clear =
    removable.length === 0
      ? undefined
      : ctx.steps.add({
          kind: "lock-clear",
          target,
          reason: { summary: `stale OpenClaw gateway lock: ${removable.join(", ")}`, observed: { fact, value: removable } },
          risk: "safe",
          facts,
          commands: [removeLockFiles(gateway.driver, gateway.name, sandbox.name, removable)],
          params: { sandbox: sandbox.name, gateway: gateway.name, paths: removable },
        });

  if (running) {
    if (problems.length === 0) return;
    if (nemoclawHas(release.nemoclaw, "gatewayRestart")) {
      ctx.steps.add({
        kind: "sandbox-gateway-restart",
        target,
        reason: { summary: `${why}: relaunch the running agent gateway with NemoClaw's gateway restart, which re-emits the guard chain first`, observed: { fact, value: problems } },
        risk: "disruptive",
        dependsOn: [clear],
        facts,
        commands: [gatewayRestart(sandbox.name)],
        params: { sandbox: sandbox.name, gateway: gateway.name },
        hint: `If the restart fails, the sandbox image may lack the packaged preloads; rebuild it as the last resort: \`nemoclaw ${sandbox.name} rebuild --yes\`.`,
      });
      return;
    }
    ctx.note(
      "warning",
      `the agent gateway in ${sandbox.name} runs (pid ${guards.agentGatewayPids.join(", ")}) with ${why}; NemoClaw v${release.nemoclaw} has no gateway restart, so ${behaviour === "restores-guards" || behaviour === "gateway-control" ? "recover restores the guards at its next relaunch" : `only a rebuild restores them (\`nemoclaw ${sandbox.name} rebuild --yes\`)`}`,
      { target, fact },
    );
    return;
  }

  // The agent gateway is down: relaunch it (after its stale locks are gone) with its guards.
  const safeRecover = behaviour === "gateway-control" || behaviour === "restores-guards" || (behaviour === "unguarded" && problems.length === 0);
  if (safeRecover) {
    ctx.steps.add({
      kind: "sandbox-recover",
      target,
      reason: {
        summary: `the agent gateway in ${sandbox.name} is not running; relaunch it with NemoClaw's recover${problems.length > 0 ? `, which restores its guards first (${why})` : ""}`,
        observed: { fact, value: problems.length > 0 ? problems : "no agent gateway process" },
      },
      risk: "safe",
      dependsOn: [clear],
      facts,
      commands: [recover(sandbox.name)],
      params: { sandbox: sandbox.name, gateway: gateway.name },
      hint: `If recover cannot relaunch the agent gateway, rebuild as the last resort: \`nemoclaw ${sandbox.name} rebuild --yes\` (state is backed up and restored).`,
    });
    return;
  }
  if (problems.length === 0) {
    ctx.note("warning", `the agent gateway in ${sandbox.name} is not running; NemoClaw v${release.nemoclaw} has no recover: relaunch it with \`nemoclaw ${sandbox.name} connect\``, { target });
    return;
  }
  planGuardRebuild(ctx, release, live, why, clear);
}

/**
 * The last resort where the release's recover would relaunch without guards (before v0.0.64) or
 * does not exist: a rebuild recreates the sandbox from its image with its guards, state backed up.
 */
function planGuardRebuild(ctx: HostContext, release: Releases, live: LiveSandbox, why: string, clear: Step | undefined): void {
  const { gateway, sandbox } = live;
  const target = sandboxTarget(sandbox.name, gateway.name);
  if (ctx.isProtected(sandbox.name)) {
    ctx.note("warning", `sandbox ${sandbox.name} is protected: refusing the rebuild its guards need (${why}); NemoClaw v${release.nemoclaw}'s recover would relaunch it unguarded`, { target });
    return;
  }
  const backups = ctx.disruptionBackupPolicies(sandbox.name).map((policy) =>
    planBackup(ctx, { sandbox: sandbox.name, gateway: gateway.name, purpose: "before-disruptive", policy, verify: true, dependsOn: [clear], detail: "rebuild to restore guards" }),
  );
  const desired = ctx.desiredSandbox(sandbox.name);
  ctx.steps.add({
    kind: "sandbox-rebuild",
    target,
    reason: {
      summary: `${why}, and the agent gateway is down: NemoClaw v${release.nemoclaw}'s recover would relaunch it without guards, so the sandbox is rebuilt (its state backed up and restored)`,
      observed: { fact: factKey.sandbox(gateway.name, sandbox.name), value: why },
    },
    risk: "disruptive",
    dependsOn: [clear, ...backups],
    facts: [factKey.sandbox(gateway.name, sandbox.name), factKey.gateway(gateway.name), factKey.registryEntry(sandbox.name)],
    commands: [rebuild(sandbox.name, release, desired?.resources)],
    params: { sandbox: sandbox.name, gateway: gateway.name },
    hint: `NemoClaw keeps the pre-rebuild backup; \`nemoclaw ${sandbox.name} snapshot list\` shows it.`,
  });
}

/** What is wrong with the guard files, one phrase each; empty when all are safe. */
function guardProblems(guards: SandboxGuards): string[] {
  const problems: string[] = [];
  for (const file of guards.files) {
    const required = GUARD_FILE_PATHS.includes(file.path);
    const problem = guardFileProblem(file);
    if (problem && (required || file.present)) problems.push(problem);
  }
  return problems;
}
