/**
 * `nemoclaw report [fleet.yaml] [--html out.html] [--from-facts facts.json] [--from-plan plan.json]
 * [--journal-dir dir]`: the fleet on one self-contained HTML page — hosts × gateways × sandboxes
 * coloured by state with why, versions, preflight blocks verbatim, backup freshness against each
 * policy, the last runs. From a live observation (one round trip per host, as `plan`), or from
 * saved facts and plans without contacting any host. Heavy modules load inside the action so
 * `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { StoreContents } from "../backup/catalogue.js";
import type { DesiredFleet } from "../config/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import type { ObservedFleet } from "../observe/types.js";
import type { Plan } from "../plan/types.js";
import { type CommonOptions, wholeNumber, withCommonOptions } from "./common.js";
import { FLEET_ARGUMENT_HELP } from "./fleet-default.js";
import type { FleetInputDeps } from "./fleet-input.js";
import type { HistoryDeps } from "./history.js";
import { checkMetricsFile, type MetricsOption, withMetricsOption, writeMetrics } from "./metrics-option.js";

/** Where the page goes when --html is not given. */
const DEFAULT_REPORT_FILE = "nemoclaw-report.html";

export interface ReportCommandOptions extends CommonOptions, MetricsOption {
  /** The page's file; `-` for stdout. */
  html?: string;
  fromFacts?: string;
  fromPlan?: string;
  journalDir?: string;
  /** How many past runs to list. */
  runs: number;
}

export interface ReportCommandDeps extends Omit<FleetInputDeps, "stderr">, HistoryDeps {
  observe(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet>;
  /** What the stores of the fleet's backup policies hold (a store that cannot be read says why). */
  readStores(fleet: DesiredFleet): Promise<StoreContents[]>;
  /** Release connections opened for observation and the stores. */
  close(): Promise<void>;
  now(): Date;
}

const HELP_AFTER = `
Writes one self-contained HTML page (inline CSS, no script, no network): every host with its
state against the fleet file (ok, drift, blocked, unreachable, unknown) and why, its NemoClaw and
OpenShell releases, its gateways and their sandboxes coloured by state (lost guards, stale locks,
stale registry entries, not Ready), each schema preflight block verbatim, the pending steps, each
sandbox's newest verified backup against its policy, and the last runs from the journal. Light
and dark mode follow the browser; it prints cleanly.

Without --from-facts the hosts are observed now (one read-only round trip each) and planned as
\`nemoclaw plan\` would; --from-facts takes facts saved by \`nemoclaw facts --json\` instead, and
--from-plan a plan saved by \`nemoclaw plan -o\` (or \`--json\`); with either, no host is contacted
(the backup stores are still read), and each file must hold every host the report selects (save
it with the same --limit). Default output: ./${DEFAULT_REPORT_FILE}; --html - writes to stdout.
--metrics-file writes everything the page shows as Prometheus metrics too, so one timer serves
both (docs/monitoring.md).

Exit codes: 0 written, 1 the page could not be written, 3 invalid fleet file, inventory, facts or
plan file (see docs/exit-codes.md and docs/monitoring.md).

Examples:
  nemoclaw report                                      # ./fleet.yaml, observed now
  nemoclaw report fleet.yaml --html /srv/www/fleet/index.html
  nemoclaw facts --json > facts.json && nemoclaw report --from-facts facts.json
  nemoclaw plan -o plan.json && nemoclaw report --from-plan plan.json --from-facts facts.json
  nemoclaw report --json | jq '.hosts[] | {host, state, explanation}'
  nemoclaw report --html /srv/www/fleet/index.html --metrics-file /var/lib/prometheus/node-exporter/nemoclaw.prom`;

export function register(program: Command): void {
  withMetricsOption(
    withCommonOptions(
      program
        .command("report")
        .argument("[fleet]", FLEET_ARGUMENT_HELP)
        .description("write the fleet on one self-contained HTML page: hosts × gateways × sandboxes by state, versions, preflight blocks, backup freshness, last runs"),
    ),
  )
    .option("--html <file>", `where to write the page (default: ./${DEFAULT_REPORT_FILE}; - for stdout)`)
    .option("--from-facts <file>", "facts saved by `nemoclaw facts --json`, instead of observing the hosts now")
    .option("--from-plan <file>", "a plan saved by `nemoclaw plan -o` (or --json), instead of planning now")
    .option("--journal-dir <dir>", "where the run journals are (default: ${XDG_STATE_HOME:-~/.local/state}/nemoclaw-fleet/runs)")
    .option("--runs <count>", "how many past runs to list", wholeNumber, 10)
    .addHelpText("after", HELP_AFTER)
    .action(async (fleetFile: string | undefined, options: ReportCommandOptions) => {
      process.exitCode = await runReportCommand(fleetFile, options, await defaultDeps());
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export async function runReportCommand(fleetFile: string | undefined, options: ReportCommandOptions, deps: ReportCommandDeps): Promise<ExitCodeValue> {
  const [
    { ExitCode },
    { outputPathProblem, writeFileAtomically },
    { readFleetInput, refuseOverwritingInputs },
    { FactsFileError, readFactsFile },
    { PlanFileError, readPlanFile },
    { hostsOutsideFleet },
    { planFleet },
    { catalogueIfScheduled, catalogueOf, backupFreshness },
    { planOptionsFor },
    { fleetStatus, HOST_STATES },
    { renderReportHtml },
    { hostList },
    { latestRunOfEachKind, listRuns },
    { backupFamilies, observedFamilies, planFamilies, runFamilies },
    { mergeFamilies },
    { TOOL_VERSION },
    { resolve },
    { pathToFileURL },
  ] = await Promise.all([
    import("../exit-codes.js"),
    import("../report/output-file.js"),
    import("./fleet-input.js"),
    import("../report/facts-file.js"),
    import("../report/plan-file.js"),
    import("../apply/source.js"),
    import("../plan/planner.js"),
    import("../backup/catalogue.js"),
    import("./plan.js"),
    import("../report/fleet-status.js"),
    import("../report/report-html.js"),
    import("../report/plan-human.js"),
    import("../apply/history.js"),
    import("../report/fleet-metrics.js"),
    import("../report/metrics.js"),
    import("../version.js"),
    import("node:path"),
    import("node:url"),
  ]);
  const fail = (message: string, code: ExitCodeValue): ExitCodeValue => {
    deps.stderr.write(`nemoclaw report: ${message}\n`);
    return code;
  };

  // Where the page goes: checked before any host is contacted.
  const htmlPath = options.html ?? (options.json ? null : DEFAULT_REPORT_FILE);
  if (htmlPath === "-" && options.json) return fail("--json and --html - both want stdout; give --html a file", ExitCode.Error);
  const badPath = htmlPath === null || htmlPath === "-" ? null : outputPathProblem(htmlPath);
  if (badPath !== null) return fail(`--html ${htmlPath}: ${badPath}`, ExitCode.Error);
  const badMetrics = checkMetricsFile("report", options.metricsFile, deps.stderr);
  if (badMetrics !== null) return badMetrics;

  const input = await readFleetInput(fleetFile, { inventories: options.inventory, limit: options.limit, color: false }, deps);
  if (typeof input === "number") return input;
  const readToo = [
    ...(options.fromPlan === undefined ? [] : [{ path: options.fromPlan, what: "the plan file (--from-plan)" }]),
    ...(options.fromFacts === undefined ? [] : [{ path: options.fromFacts, what: "the facts file (--from-facts)" }]),
  ];
  const clash = refuseOverwritingInputs("report", [{ option: "--html", path: htmlPath }, { option: "--metrics-file", path: options.metricsFile }], [...input.inputs, ...readToo], deps.stderr);
  if (clash !== null) return clash;
  const { fleet } = input;
  const selected = new Set(input.hosts);
  // A saved file must cover every host the report selects: the page and the metrics are the fleet
  // (or the --limit), so a host left out of the file is refused, never silently dropped.
  const notCovered = (file: string, lacks: string, present: readonly string[], saveWith: string): ExitCodeValue | null => {
    const missing = input.hosts.filter((host) => !present.includes(host));
    if (missing.length === 0) return null;
    return fail(
      `${file}: ${lacks} for ${hostList(missing, 10)}, which the report selects; save it again for every host (${saveWith}, with the same --limit), or narrow the report with --limit`,
      ExitCode.ValidationError,
    );
  };
  const fleetHosts = fleet.hosts.map((host) => host.name);
  const now = deps.now();

  let observed: ObservedFleet | null = null;
  let factsSource = "none given (--from-plan without --from-facts)";
  if (options.fromFacts !== undefined) {
    try {
      observed = readFactsFile(options.fromFacts);
    } catch (error) {
      if (!(error instanceof FactsFileError)) throw error;
      deps.stderr.write(`${error.message}\n`);
      return ExitCode.ValidationError;
    }
    const outside = observed.hosts.map((host) => host.host).filter((host) => !fleetHosts.includes(host));
    if (outside.length > 0) return fail(`${options.fromFacts}: names host(s) that are not in ${fleet.sourceFile}: ${outside.join(", ")}`, ExitCode.ValidationError);
    observed = { hosts: observed.hosts.filter((host) => selected.has(host.host)) };
    const uncovered = notCovered(options.fromFacts, "holds no facts", observed.hosts.map((host) => host.host), "`nemoclaw facts --json`");
    if (uncovered !== null) return uncovered;
    const times = observed.hosts.map((host) => host.observedAt).sort();
    factsSource = `${options.fromFacts}${times.length > 0 ? ` (observed ${times[0]}${times.length > 1 && times.at(-1) !== times[0] ? ` to ${times.at(-1)}` : ""})` : ""}`;
  }

  let plan: Plan | null = null;
  let planSource = "made now from these facts";
  if (options.fromPlan !== undefined) {
    try {
      plan = await readPlanFile(options.fromPlan, { requireDigest: false });
    } catch (error) {
      if (!(error instanceof PlanFileError)) throw error;
      deps.stderr.write(`${error.message}\n`);
      return ExitCode.ValidationError;
    }
    const outside = hostsOutsideFleet(plan, fleetHosts);
    if (outside.length > 0) return fail(`${options.fromPlan}: names host(s) that are not in ${fleet.sourceFile}: ${outside.join(", ")}`, ExitCode.ValidationError);
    plan = { ...plan, hosts: plan.hosts.filter((host) => selected.has(host.host)) };
    const uncovered = notCovered(options.fromPlan, "has no plan", plan.hosts.map((host) => host.host), "`nemoclaw plan -o`");
    if (uncovered !== null) return uncovered;
    planSource = `${options.fromPlan} (made ${plan.createdAt})`;
  }

  let contents: StoreContents[] = [];
  try {
    if (observed === null && plan === null) {
      deps.stderr.write(`Observing ${plural(input.hosts.length, "host")}…\n`);
      observed = await deps.observe(fleet, input.hosts);
      factsSource = `observed ${now.toISOString()}`;
    }
    if (fleet.backupPolicies.length > 0) contents = await deps.readStores(fleet);
  } finally {
    await deps.close();
  }
  const unreadable = contents.filter((store) => store.error !== undefined);

  if (plan === null && observed !== null) {
    const facts = observed;
    const catalogue = await catalogueIfScheduled(
      fleet,
      async () => {
        if (unreadable.length > 0) throw new Error(`backup store unreadable: ${unreadable.map((store) => `${store.store}: ${store.error}`).join("; ")}`);
        return catalogueOf(contents);
      },
      (text) => deps.stderr.write(text),
    );
    try {
      plan = planFleet(fleet, facts, planOptionsFor(fleet, { hosts: facts.hosts.map((host) => host.host), limit: options.limit, prune: false }, now, catalogue));
    } catch (error) {
      // Only a facts file can hold what the planner cannot read: live facts come from the probe's parsers.
      return fail(`${options.fromFacts ?? "the facts"}: cannot be planned from (${error instanceof Error ? error.message : String(error)}); save them again with \`nemoclaw facts --json\``, ExitCode.ValidationError);
    }
  }

  const journalDir = options.journalDir ?? deps.journalDir;
  const runs = listRuns(journalDir, options.runs);
  const hosts = fleetStatus({ fleet, observed, plan, now });
  const report = {
    fleet: { name: fleet.name, file: fleet.sourceFile },
    generatedAt: now.toISOString(),
    toolVersion: TOOL_VERSION,
    sources: {
      facts: factsSource,
      plan: planSource,
      backups: fleet.backupPolicies.length === 0 ? "no policies" : `${plural(new Set(contents.map((store) => store.store)).size, "store")} read ${now.toISOString()}`,
      runs: journalDir,
    },
    hosts,
    backups: fleet.backupPolicies.length === 0 ? null : backupFreshness(fleet, fleet.backupPolicies, contents, now),
    runs,
    latestRuns: latestRunOfEachKind(journalDir),
    problems: [
      ...unreadable.map((store) => `backup store ${store.store} could not be read: ${store.error}`),
      ...runs.filter((run) => run.damaged !== null).map((run) => `journal ${run.journal}: ${run.damaged}`),
    ],
  };

  // Everything the page shows, as the commands that know each part would write it.
  const metrics = await writeMetrics(
    "report",
    options.metricsFile,
    () => [
      ...observedFamilies(hosts),
      ...planFamilies(hosts),
      ...(report.backups ? backupFamilies(report.backups, now) : []),
      ...mergeFamilies(report.latestRuns.map(({ kind, summary }) => runFamilies(kind, summary))),
    ],
    deps,
  );
  if (metrics !== ExitCode.Ok) return metrics;

  if (options.json) deps.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (htmlPath === null) return ExitCode.Ok;
  const page = renderReportHtml(report);
  if (htmlPath === "-") {
    deps.stdout.write(page);
    return ExitCode.Ok;
  }
  try {
    writeFileAtomically(htmlPath, page, { mode: 0o644 });
  } catch (error) {
    return fail(`--html ${error instanceof Error ? error.message : String(error)}`, ExitCode.Error);
  }
  const states = HOST_STATES.map((state) => [state, hosts.filter((host) => host.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  const absolute = resolve(htmlPath);
  deps.stderr.write(`Wrote the fleet report to ${absolute} (${plural(hosts.length, "host")}${states.length > 0 ? `: ${states.join(", ")}` : ""}); open ${pathToFileURL(absolute).href} in a browser.\n`);
  return ExitCode.Ok;
}

async function defaultDeps(): Promise<ReportCommandDeps> {
  const [{ loadFleetFrom }, { selectHosts }, { ConnectionPool }, { observeFleet }, { readStores }, { BackupStores }, { processDeps }] = await Promise.all([
    import("./fleet-input.js"),
    import("../config/selectors.js"),
    import("../transport/pool.js"),
    import("../observe/fleet.js"),
    import("../backup/catalogue.js"),
    import("../backup/destinations.js"),
    import("./session-deps.js"),
  ]);
  let pool: InstanceType<typeof ConnectionPool> | undefined;
  // Every fleet host, so a selected host can reach its bastion (or a store) when that is a fleet host too.
  const connections = (fleet: DesiredFleet) => (pool ??= new ConnectionPool(fleet.hosts));
  const { stdout, stderr, env, journalDir, now } = processDeps();
  return {
    load: loadFleetFrom,
    select: selectHosts,
    observe: (fleet, hosts) => observeFleet(fleet, hosts, { pool: connections(fleet), concurrency: fleet.apply.concurrency }),
    readStores: async (fleet) => (await readStores(new BackupStores(fleet, connections(fleet)), fleet.backupPolicies)).contents,
    close: async () => pool?.closeAll(),
    now,
    journalDir,
    stdout,
    stderr,
    env,
  };
}
