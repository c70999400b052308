/**
 * The live terminal view (listr2): one line per host with work — its current step, how long that
 * step has run and the host's status — updated as events arrive and once a second for the clocks.
 * It folds the same event stream as the recap and the journal (RunTally), so what it shows is
 * what they record.
 */
import { Listr, ListrDefaultRendererLogLevels as Level, type ListrTask, type LoggerFormat } from "listr2";
import type { InterruptStage } from "../apply/control.js";
import type { ApplyEvent, EventOf } from "../apply/events.js";
import { RunTally, type HostState } from "../apply/tally.js";
import type { Colors } from "./color.js";
import { formatDuration } from "./progress-format.js";

/**
 * listr2 colours its icons through a colour library that reads the environment on its own; this
 * map makes the live view follow the same decision as every other output (NO_COLOR, FORCE_COLOR,
 * --no-color, a terminal or not).
 */
export function iconColors(colors: Colors): Partial<Record<Level, LoggerFormat>> {
  const format = (paint: (text: string) => string): LoggerFormat => (text) => paint(text ?? "");
  const [yellow, green, red, dim] = [format(colors.yellow), format(colors.green), format(colors.red), format(colors.dim)];
  return {
    [Level.PENDING]: yellow,
    [Level.COMPLETED]: green,
    [Level.COMPLETED_WITH_FAILED_SUBTASKS]: yellow,
    [Level.COMPLETED_WITH_FAILED_SISTER_TASKS]: red,
    [Level.SKIPPED_WITH_COLLAPSE]: yellow,
    [Level.SKIPPED_WITHOUT_COLLAPSE]: yellow,
    [Level.RETRY]: yellow,
    [Level.ROLLING_BACK]: red,
    [Level.ROLLED_BACK]: red,
    [Level.FAILED]: red,
    [Level.FAILED_WITH_FAILED_SUBTASKS]: red,
    [Level.WAITING]: dim,
    [Level.PAUSED]: yellow,
  };
}

/** The title of a host's line at `now`; after a Ctrl-C (`stage`), what the interruption does to it. */
export function hostTitle(host: HostState, now: Date, wave: number | null, stage: InterruptStage | null = null): string {
  const title = runningTitle(host, now, wave);
  if (stage === null || host.status) return title;
  if (!host.started) return `${host.host}: will not start (interrupted)`;
  if (stage === "aborting") return `${title} — aborting`;
  const running = host.steps.some((step) => step.status === "running");
  return `${title} — interrupted: ${running ? "finishing this step, then stopping" : "stopping"} (Ctrl-C again aborts)`;
}

function runningTitle(host: HostState, now: Date, wave: number | null): string {
  if (host.status) {
    const done = host.steps.filter((step) => step.status === "ok").length;
    const counts = host.steps.length > 0 ? ` ${done}/${host.steps.length} steps` : "";
    const duration = host.durationMs ? `, ${formatDuration(host.durationMs)}` : "";
    return `${host.host}: ${host.status}${counts}${duration}`;
  }
  if (!host.started) return `${host.host}: waiting${wave ? ` (wave ${wave})` : ""}`;
  if (host.waitingForLock) {
    const { holder, until } = host.waitingForLock;
    const left = formatDuration(Math.max(0, Date.parse(until) - now.getTime()));
    return `${host.host}: waiting for the host lock of run ${holder.runId} (${holder.user}@${holder.machine}), ${left} left`;
  }
  if (host.gating) {
    const left = formatDuration(Math.max(0, Date.parse(host.gating.until) - now.getTime()));
    return `${host.host}: health gate: waiting for ${host.gating.sandboxes.join(", ")} to be healthy, ${left} left`;
  }
  const index = host.steps.findIndex((step) => step.status === "running");
  if (index === -1) return `${host.host}: preparing (lock, facts)`;
  const step = host.steps[index] as HostState["steps"][number];
  const elapsed = step.startedAt ? formatDuration(Math.max(0, now.getTime() - Date.parse(step.startedAt))) : "";
  return `${host.host}: [${index + 1}/${host.steps.length}] ${step.id} ${elapsed}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ""}`;
}

type Task = Parameters<ListrTask["task"]>[1];

interface HostLine {
  task: Task | null;
  settle: ((error?: Error) => void) | null;
  /** Finished before listr started its task. */
  finished: boolean;
}

const QUIET: ReadonlySet<string> = new Set(["ok", "no-changes"]);

export class ListrView {
  private tally: RunTally | null = null;
  private readonly lines = new Map<string, HostLine>();
  private readonly waveOf = new Map<string, number>();
  private running: Promise<unknown> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** Set by the first Ctrl-C (and the second): every line says at once what it means for its host. */
  private stage: InterruptStage | null = null;

  constructor(
    private readonly colors: Colors,
    private readonly options: { now?: () => Date; renderer?: "default" | "silent" } = {},
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  readonly onEvent = (event: ApplyEvent): void => {
    if (event.type === "run-started") this.start(event);
    this.tally?.apply(event);
    if ("host" in event) this.refresh(event.host);
    if (event.type === "host-finished") this.settle(event);
    if (event.type === "run-interrupting") {
      this.stage = event.stage;
      for (const host of this.lines.keys()) this.refresh(host);
    }
  };

  private start(event: EventOf<"run-started">): void {
    this.tally = new RunTally(event.runId);
    event.waves.forEach((hosts, index) => hosts.forEach((host) => this.waveOf.set(host, index + 1)));
    // Hosts without work stay off the live view (the recap lists them); waves give the order.
    const hosts = event.waves.flat();
    for (const host of hosts) this.lines.set(host, { task: null, settle: null, finished: false });
    const list = new Listr(
      hosts.map((host) => ({
        title: host,
        task: (_ctx: unknown, task: Task) =>
          new Promise<void>((resolve, reject) => {
            const line = this.lines.get(host) as HostLine;
            line.task = task;
            line.settle = (error) => (error ? reject(error) : resolve());
            this.refresh(host);
            if (line.finished) this.settleLine(host);
          }),
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: this.options.renderer ?? "default",
        rendererOptions: { collapseErrors: false, showErrorMessage: true, collapseSkips: false, color: iconColors(this.colors) },
      },
    );
    this.running = list.run().catch(() => undefined);
    this.ticker = setInterval(() => {
      for (const host of this.lines.keys()) this.refresh(host);
    }, 1_000);
    this.ticker.unref();
  }

  private state(host: string): HostState | undefined {
    return this.tally?.hostState(host);
  }

  private refresh(host: string): void {
    const line = this.lines.get(host);
    const state = this.state(host);
    if (!line?.task || !state || state.status) return;
    line.task.title = hostTitle(state, this.now(), this.waveOf.get(host) ?? null, this.stage);
  }

  private settle(event: EventOf<"host-finished">): void {
    const line = this.lines.get(event.host);
    if (!line) return;
    line.finished = true;
    if (line.settle) this.settleLine(event.host);
  }

  private settleLine(host: string): void {
    const line = this.lines.get(host) as HostLine;
    const state = this.state(host);
    if (!line.task || !line.settle || !state?.status) return;
    const title = hostTitle(state, this.now(), null);
    if (state.status === "skipped") {
      line.task.skip(title);
      line.settle();
    } else if (QUIET.has(state.status)) {
      line.task.title = title;
      line.settle();
    } else {
      line.task.title = title;
      line.settle(new Error(state.message ?? state.status));
    }
    line.settle = null;
  }

  /** Wait for the view to draw its final state. */
  async finish(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.running;
  }
}
