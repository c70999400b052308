/**
 * `nemoclaw report`: the fleet on one self-contained HTML page — inline CSS, no script, no
 * network, no external asset (its Content-Security-Policy forbids them) — readable in light and
 * dark mode and on paper (print always takes the light palette). Every state is a colour AND a word, and every coloured cell says why in
 * text, so the page also works in print and for colour-blind readers. Everything from hosts is
 * escaped by the `html` template (src/report/html.ts).
 */
import type { HostStatus } from "../apply/events.js";
import { listedRunKind, type RunKind, type RunListing } from "../apply/history.js";
import type { RunSummary } from "../apply/tally.js";
import type { FreshnessState, PolicyFreshness } from "../backup/catalogue.js";
import type { Risk } from "../plan/types.js";
import { formatAge } from "./backup-human.js";
import type { GatewayView, HostState, HostView, LockView, SandboxState, SandboxView, VersionState } from "./fleet-status.js";
import { HOST_STATES } from "./fleet-status.js";
import { Html, html } from "./html.js";
import { formatDuration } from "./progress-format.js";
import { unfinishedHosts } from "./recap-history.js";

/** Everything the page shows; `nemoclaw report --json` prints it as it is. */
export interface FleetReport {
  fleet: { name: string; file: string };
  generatedAt: string;
  toolVersion: string;
  /** Where each part came from, in words: "observed live at …", "plan.json (made …)". */
  sources: { facts: string; plan: string; backups: string; runs: string };
  hosts: HostView[];
  /** Null when the fleet file has no backup policies. */
  backups: PolicyFreshness[] | null;
  runs: RunListing[];
  /** The latest apply and the latest backup run, host by host. */
  latestRuns: { kind: RunKind; summary: RunSummary }[];
  /** What could not be read (a store, a journal), in words. */
  problems: string[];
}

/** How a state is painted: a tone (the colour) and a mark (the same meaning without colour). */
type Tone = "good" | "warn" | "bad" | "down" | "odd" | "missing" | "plain";

const MARK: Record<Tone, string> = { good: "✓", warn: "!", bad: "✗", down: "⊘", odd: "?", missing: "○", plain: "·" };

const HOST_TONE: Record<HostState, Tone> = { ok: "good", drift: "warn", blocked: "bad", unreachable: "down", unknown: "odd" };
const SANDBOX_TONE: Record<SandboxState, Tone> = { ok: "good", degraded: "warn", guards: "bad", missing: "missing", unknown: "odd" };
const GATEWAY_TONE: Record<GatewayView["health"], Tone> = { healthy: "good", unhealthy: "bad", stopped: "warn", unreachable: "down", unknown: "odd", missing: "missing" };
const FRESHNESS_TONE: Record<FreshnessState, Tone> = { fresh: "good", unverified: "warn", failed: "bad", overdue: "bad", never: "bad", unknown: "odd" };
const RUN_TONE: Record<HostStatus, Tone> = {
  ok: "good",
  "no-changes": "good",
  failed: "bad",
  blocked: "bad",
  unreachable: "down",
  stale: "warn",
  locked: "warn",
  skipped: "plain",
  interrupted: "warn",
};
const RISK_TONE: Record<Risk, Tone> = { safe: "good", disruptive: "warn", destructive: "bad" };

const HOST_MEANING: Record<HostState, string> = {
  ok: "matches the fleet file",
  drift: "differs from the fleet file: apply has steps to take",
  blocked: "NemoClaw's schema preflight refuses state-touching work (CLI and running gateway differ)",
  unreachable: "could not be observed",
  unknown: "facts needed to plan could not be read",
};
const SANDBOX_MEANING: Record<SandboxState, string> = {
  ok: "Ready, guard files in place, agent gateway running",
  degraded: "not Ready, or its agent gateway is not running",
  guards: "a guard file missing or unsafe, or a stale gateway lock",
  missing: "in the fleet file or NemoClaw's registry, not on its gateway",
  unknown: "could not be looked into",
};

function badge(tone: Tone, stateClass: string, word: string): Html {
  return html`<span class="badge tone-${tone} ${stateClass}"><span class="mark" aria-hidden="true">${MARK[tone]}</span> ${word}</span>`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function version(label: string, value: VersionState, wanted: string | null = null): Html {
  const shown = value.state === "installed" ? value.version : value.state === "absent" ? "not installed" : `unknown (${value.reason})`;
  const differs = wanted !== null && !(value.state === "installed" && value.version === wanted);
  return html`<dt>${label}</dt><dd class="${value.state === "unknown" ? "tone-odd" : ""}">${shown}${differs ? html` <span class="wanted">fleet file: ${wanted}</span>` : ""}</dd>`;
}

function lockText(lock: LockView | null | "unknown", now: Date): Html {
  if (lock === "unknown") return html`<span class="tone-odd">unknown</span>`;
  if (lock === null) return html`<span class="quiet">none</span>`;
  const { holder } = lock;
  return html`<span class="tone-${lock.expired ? "bad" : "warn"} lock">held by ${holder.user}@${holder.machine} (run ${holder.runId}, pid ${holder.pid}) for ${formatAge(holder.startedAt, now)}${lock.expired ? html`; <strong>expired</strong> ${formatAge(holder.expiresAt, now)} ago — <code>nemoclaw unlock</code> removes a dead run's lock` : ""}</span>`;
}

function sandboxCell(gateway: GatewayView, sandbox: SandboxView): Html {
  const tone = SANDBOX_TONE[sandbox.state];
  return html`<li class="sandbox tone-${tone} cell-${sandbox.state}" data-sandbox="${sandbox.name}" data-gateway="${gateway.name}" data-state="${sandbox.state}">
<span class="mark" aria-hidden="true">${MARK[tone]}</span> <span class="name">${sandbox.name}</span> <span class="state-word">${sandbox.state}</span>
<span class="why">${sandbox.explanation}</span></li>`;
}

function gatewayBlock(gateway: GatewayView): Html {
  const tone = GATEWAY_TONE[gateway.health];
  const sandboxes = gateway.sandboxesUnknown !== null
    ? html`<p class="why tone-odd">sandboxes unknown: ${gateway.sandboxesUnknown}</p>`
    : gateway.sandboxes.length === 0
      ? html`<p class="quiet">no sandboxes</p>`
      : html`<ul class="sandboxes">${gateway.sandboxes.map((sandbox) => sandboxCell(gateway, sandbox))}</ul>`;
  return html`<div class="gateway health-${gateway.health}" data-gateway="${gateway.name}" data-health="${gateway.health}">
<div class="gateway-head">${badge(tone, `health-${gateway.health}`, gateway.health)} <strong class="name">${gateway.name}</strong>${gateway.port !== null ? html` <span class="quiet">:${gateway.port}</span>` : ""} <span class="quiet">${gateway.driver}</span></div>
<p class="why">${gateway.explanation}</p>
${sandboxes}</div>`;
}

function hostRow(host: HostView, index: number, now: Date): Html {
  const state = host.state ?? "unknown";
  const tone = HOST_TONE[state];
  const matrix =
    host.gateways === null
      ? html`<p class="why tone-odd">gateways unknown: ${host.gatewaysUnknown ?? "not observed"}</p>`
      : host.gateways.length === 0
        ? html`<p class="quiet">no gateways</p>`
        : host.gateways.map(gatewayBlock);
  const { versions } = host;
  return html`<tr id="host-${index}" class="host state-${state}" data-host="${host.host}" data-state="${state}">
<th scope="row"><span class="host-name">${host.host}</span>${host.observedAt ? html`<span class="quiet observed">observed ${host.observedAt}</span>` : ""}</th>
<td class="state">${badge(tone, `state-${state}`, state)}<p class="why">${host.explanation}</p>${host.block ? html`<p><a href="#block-${index}">preflight block</a></p>` : ""}${host.pending.length > 0 ? html`<p><a href="#changes-${index}">${plural(host.pending.length, "pending step")}</a></p>` : ""}</td>
<td class="versions"><dl>${version("NemoClaw", versions.nemoclaw, versions.wantedNemoclaw)}${version("OpenShell CLI", versions.openshell, versions.wantedOpenshell)}${version("gateway binary", versions.gatewayBinary)}</dl></td>
<td class="matrix-cell">${matrix}</td>
<td class="lock">${lockText(host.lock, now)}</td>
</tr>`;
}

function counts(hosts: readonly HostView[]): Html {
  const present = HOST_STATES.map((state) => [state, hosts.filter((host) => (host.state ?? "unknown") === state).length] as const).filter(([, count]) => count > 0);
  return html`<ul class="counts">${present.map(([state, count]) => html`<li>${badge(HOST_TONE[state], `state-${state}`, `${count} ${state}`)}</li>`)}</ul>`;
}

function legend(): Html {
  return html`<details class="legend" open><summary>What the colours mean</summary>
<div class="legend-grid">
<div><h3>Hosts</h3><ul>${HOST_STATES.map((state) => html`<li>${badge(HOST_TONE[state], `state-${state}`, state)} ${HOST_MEANING[state]}</li>`)}</ul></div>
<div><h3>Sandboxes</h3><ul>${(Object.keys(SANDBOX_MEANING) as SandboxState[]).map((state) => html`<li>${badge(SANDBOX_TONE[state], `cell-${state}`, state)} ${SANDBOX_MEANING[state]}</li>`)}</ul></div>
</div></details>`;
}

function blocksSection(hosts: readonly HostView[]): Html {
  const blocked = hosts.map((host, index) => ({ host, index })).filter(({ host }) => host.block !== null);
  if (blocked.length === 0) return html``;
  return html`<section id="blocks"><h2>Schema preflight blocks</h2>
<p>NemoClaw's own refusal, verbatim. Nothing that trusts sandbox state runs on these hosts until <code>nemoclaw onboard --resume</code> brings the gateway to the installed OpenShell.</p>
${blocked.map(
  // HTML drops a newline right after <pre>: one is added so the block's own first (blank) line stays.
  ({ host, index }) => html`<article class="block tone-bad" id="block-${index}" data-host="${host.host}"><h3>${host.host}</h3><pre>
${(host.block?.lines ?? []).join("\n")}</pre></article>`,
)}
</section>`;
}

function changesSection(hosts: readonly HostView[]): Html {
  const changing = hosts.map((host, index) => ({ host, index })).filter(({ host }) => host.pending.length > 0 || host.notes.length > 0);
  if (changing.length === 0) return html``;
  return html`<section id="changes"><h2>Pending changes and notes</h2>
${changing.map(
  ({ host, index }) => html`<article id="changes-${index}" data-host="${host.host}"><h3>${host.host}</h3>
${host.pending.length > 0 ? html`<ol class="steps">${host.pending.map((step) => html`<li>${badge(RISK_TONE[step.risk], `risk-${step.risk}`, step.risk)} <code>${step.id}</code> — ${step.summary}</li>`)}</ol>` : ""}
${host.notes.length > 0 ? html`<ul class="notes">${host.notes.map((note) => html`<li class="note-${note.level}"><strong>${note.level}</strong> ${note.message}</li>`)}</ul>` : ""}
</article>`,
)}</section>`;
}

function backupsSection(policies: readonly PolicyFreshness[] | null, now: Date): Html {
  if (policies === null) return html`<section id="backups"><h2>Backups</h2><p class="quiet">The fleet file has no backup policies.</p></section>`;
  return html`<section id="backups"><h2>Backup freshness</h2>
${policies.map(
  (policy) => html`<article class="policy" data-policy="${policy.policy}"><h3>Policy ${policy.policy}</h3>
<p>${policy.schedule ? html`schedule <code>${policy.schedule}</code> (UTC)${policy.firedAt ? `, last due ${policy.firedAt}` : ""}${policy.intervalSeconds !== null ? `, a backup may be at most ${formatAge(new Date(now.getTime() - policy.intervalSeconds * 1000).toISOString(), now)} old` : ""}` : "no schedule: run by hand"}; store ${policy.stores.map((store, index) => html`${index > 0 ? ", " : ""}<code>${store.store}</code>${store.error !== null ? html` <span class="tone-bad">unreadable: ${store.error}</span>` : ""}`)}</p>
${policy.series.length === 0
  ? html`<p class="quiet">No sandboxes covered yet.</p>`
  : html`<table class="backups"><thead><tr><th>Host</th><th>Sandbox</th><th>State</th><th>Newest verified backup</th><th>Newest backup</th></tr></thead><tbody>
${policy.series.map(
  (entry) => html`<tr class="series tone-${FRESHNESS_TONE[entry.state]} fresh-${entry.state}" data-host="${entry.host}" data-sandbox="${entry.sandbox}" data-state="${entry.state}">
<td>${entry.host}</td><td>${entry.sandbox}</td><td>${badge(FRESHNESS_TONE[entry.state], `fresh-${entry.state}`, entry.state)}</td>
<td>${entry.latestVerified ? html`${entry.latestVerified} <span class="age">(${formatAge(entry.latestVerified, now)} old)</span>` : html`<span class="quiet">none</span>`}</td>
<td>${entry.newest ? `${entry.newest.createdAt} — ${entry.newest.verified === null ? "not verified" : entry.newest.verified ? "verified" : "FAILED verification"}` : html`<span class="quiet">none</span>`}</td></tr>`,
)}</tbody></table>`}
</article>`,
)}</section>`;
}

function runOutcomes(run: RunListing): Html {
  const unfinished = unfinishedHosts(run);
  return html`${(Object.entries(run.outcomes) as [HostStatus, number][]).map(([status, count]) => html`${badge(RUN_TONE[status], `run-${status}`, `${count} ${status}`)} `)}${unfinished > 0 ? html`${badge("warn", "run-unfinished", `${unfinished} unfinished`)} ` : ""}`;
}

function runsSection(runs: readonly RunListing[], latest: FleetReport["latestRuns"]): Html {
  const list =
    runs.length === 0
      ? html`<p class="quiet">No runs recorded yet.</p>`
      : html`<table class="runs"><thead><tr><th>Run</th><th>Kind</th><th>By</th><th>Hosts</th><th>Outcome</th><th>Took</th></tr></thead><tbody>
${runs.map(
  (run) => html`<tr data-run="${run.runId}"><td><code>${run.runId}</code></td><td>${listedRunKind(run)}</td><td>${run.user ?? "?"}@${run.machine ?? "?"}</td>
<td>${runOutcomes(run)}</td>
<td>${run.damaged !== null ? html`<span class="tone-bad">damaged journal: ${run.damaged}</span>` : run.complete ? `exit ${run.exitCode}` : html`<span class="tone-warn">did not finish</span>`}</td>
<td>${formatDuration(run.durationMs)}</td></tr>`,
)}</tbody></table>`;
  return html`<section id="runs"><h2>Last runs</h2>${list}
${latest.map(
  ({ kind, summary }) => html`<article class="latest-run" data-kind="${kind}"><h3>Latest ${kind}: <code>${summary.runId}</code>${summary.finishedAt ? ` finished ${summary.finishedAt}` : ", did not finish"} (exit ${summary.exitCode})</h3>
<ul class="run-hosts">${summary.hosts.map((host) => {
    // No outcome: the run was killed before this host finished (the terminal recap's "unfinished"; status null in --json).
    const status = host.status ?? "unfinished";
    const tone = host.status === null ? "warn" : RUN_TONE[host.status];
    const failed = host.steps.filter((step) => step.status === "failed");
    return html`<li data-host="${host.host}" data-status="${status}">${badge(tone, `run-${status}`, status)} <strong>${host.host}</strong> ${plural(host.steps.filter((step) => step.status === "ok").length, "step")} ok${failed.length > 0 ? html`; failed: ${failed.map((step) => html`<code>${step.id}</code> ${step.error ?? ""} `)}` : ""}${host.message ? html` <span class="why">${host.message}</span>` : ""}</li>`;
  })}</ul></article>`,
)}</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--quiet:#59636e;--line:#d1d9e0;--panel:#f6f8fa;
--good-fg:#116329;--good-bg:#dafbe1;--warn-fg:#7d4e00;--warn-bg:#fff8c5;--bad-fg:#a40e26;--bad-bg:#ffebe9;
--down-fg:#ffffff;--down-bg:#59636e;--odd-fg:#6639ba;--odd-bg:#fbefff;--missing-fg:#953800;--missing-bg:#fff1e5;--plain-fg:#59636e;--plain-bg:#eff2f5}
@media screen and (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--quiet:#9198a1;--line:#3d444d;--panel:#151b23;
--good-fg:#7ee787;--good-bg:#0f3a1d;--warn-fg:#f2cc60;--warn-bg:#3b2e05;--bad-fg:#ffa198;--bad-bg:#4b1113;
--down-fg:#0d1117;--down-bg:#9198a1;--odd-fg:#d2a8ff;--odd-bg:#2e1a4a;--missing-fg:#ffa657;--missing-bg:#3d1f00;--plain-fg:#9198a1;--plain-bg:#212830}}
*{box-sizing:border-box}
body{margin:0;padding:1.5rem;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{margin:0 0 .25rem;font-size:1.6rem}h2{margin:2rem 0 .5rem;font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{font-size:1rem;margin:1rem 0 .4rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
a{color:inherit}
.quiet{color:var(--quiet)}
.meta{color:var(--quiet);margin:.2rem 0}
nav a{margin-right:1rem}
.counts,.legend ul,.sandboxes,.run-hosts,.notes{list-style:none;padding:0;margin:.4rem 0}
.counts li{display:inline-block;margin-right:.5rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:1rem;font-weight:600;white-space:nowrap;border:1px solid transparent}
.tone-good{color:var(--good-fg);background:var(--good-bg)}.tone-warn{color:var(--warn-fg);background:var(--warn-bg)}
.tone-bad{color:var(--bad-fg);background:var(--bad-bg)}.tone-down{color:var(--down-fg);background:var(--down-bg)}
.tone-odd{color:var(--odd-fg);background:var(--odd-bg)}.tone-missing{color:var(--missing-fg);background:var(--missing-bg);border:1px dashed currentColor}
.tone-plain{color:var(--plain-fg);background:var(--plain-bg)}
table{border-collapse:collapse;width:100%}
.scroll{overflow-x:auto}table.matrix{table-layout:fixed;min-width:60rem}
.c-host{width:12%}.c-state{width:22%}.c-versions{width:17%}.c-matrix{width:39%}.c-lock{width:10%}
th,td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid var(--line)}
thead th{background:var(--panel);position:sticky;top:0}
tr.host>th{border-left:.4rem solid var(--line)}
tr.state-ok>th{border-left-color:var(--good-fg)}tr.state-drift>th{border-left-color:var(--warn-fg)}tr.state-blocked>th{border-left-color:var(--bad-fg)}
tr.state-unreachable>th{border-left-color:var(--down-bg)}tr.state-unknown>th{border-left-color:var(--odd-fg)}
.host-name{display:block;font-size:1.05rem}.observed{display:block;font-size:.8em;font-weight:400}
.why{display:block;margin:.2rem 0 0;font-size:.9em}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem}dt{color:var(--quiet)}dd{margin:0}
.wanted{color:var(--warn-fg);font-size:.9em}
.gateway{border:1px solid var(--line);border-radius:.4rem;padding:.4rem .5rem;margin:0 0 .5rem;background:var(--panel)}
.gateway .why{color:var(--quiet)}
.sandbox{border-radius:.35rem;padding:.3rem .5rem;margin:.3rem 0}
.sandbox .name{font-weight:700}.sandbox .state-word{font-size:.85em;text-transform:uppercase;letter-spacing:.03em}
.sandbox .why{color:inherit}
.block pre{white-space:pre-wrap;margin:0;padding:.6rem;background:var(--bg);color:var(--fg);border-radius:.3rem;border:1px solid var(--line)}
.block{padding:.5rem;border-radius:.4rem;margin-bottom:.8rem}.block h3{margin-top:0}
.steps li{margin:.2rem 0}.note-warning strong{color:var(--warn-fg)}
.lock{font-size:.9em}
.legend{margin:1rem 0;padding:.5rem .8rem;border:1px solid var(--line);border-radius:.4rem}
.legend-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:.5rem 2rem}.legend li{margin:.25rem 0}
footer{margin-top:2rem;color:var(--quiet);font-size:.85em}
@media print{
:root{--panel:#fff}
body{padding:0;font-size:10.5pt}
nav,.legend summary{display:none}
.badge,.sandbox,.block,[class*="tone-"],tr.host>th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
thead th{position:static}
.scroll{overflow:visible}table.matrix{min-width:0}
tr,.gateway,.block,.policy,.latest-run{break-inside:avoid}
h2{break-after:avoid}
a{text-decoration:none}
}
`;

export function renderReportHtml(report: FleetReport): string {
  const now = new Date(report.generatedAt);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="nemoclaw ${report.toolVersion}">
<title>Fleet ${report.fleet.name} — nemoclaw report</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header>
<h1>Fleet ${report.fleet.name}</h1>
<p class="meta">${report.fleet.file} · generated ${report.generatedAt} by nemoclaw ${report.toolVersion}</p>
<p class="meta">Facts: ${report.sources.facts} · Plan: ${report.sources.plan} · Backups: ${report.sources.backups} · Runs: ${report.sources.runs}</p>
${counts(report.hosts)}
<nav><a href="#hosts">Hosts</a><a href="#blocks">Preflight blocks</a><a href="#changes">Changes</a><a href="#backups">Backups</a><a href="#runs">Runs</a></nav>
${report.problems.length > 0 ? html`<ul class="problems">${report.problems.map((problem) => html`<li class="tone-warn">${problem}</li>`)}</ul>` : ""}
</header>
<main>
${legend()}
<section id="hosts"><h2>Hosts, gateways and sandboxes</h2>
<div class="scroll"><table class="matrix"><colgroup><col class="c-host"><col class="c-state"><col class="c-versions"><col class="c-matrix"><col class="c-lock"></colgroup>
<thead><tr><th>Host</th><th>State</th><th>Versions</th><th>Gateways and their sandboxes</th><th>Fleet lock</th></tr></thead>
<tbody>${report.hosts.map((host, index) => hostRow(host, index, now))}</tbody></table></div>
</section>
${blocksSection(report.hosts)}
${changesSection(report.hosts)}
${backupsSection(report.backups, now)}
${runsSection(report.runs, report.latestRuns)}
</main>
<footer>nemoclaw ${report.toolVersion} · this page needs no network and runs no script · docs/monitoring.md</footer>
</body>
</html>
`;
  return page.text;
}
