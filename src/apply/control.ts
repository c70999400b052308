/**
 * Ctrl-C, in two stages. The first stops the run from starting anything new (steps, retries,
 * hosts, waves) and lets in-flight steps finish, for at most `drainMs`; the second — or the end
 * of the drain period — aborts in-flight commands, which kills their remote processes.
 */

export type InterruptStage = "draining" | "aborting";

export class RunControl {
  private readonly abortController = new AbortController();
  private readonly stopController = new AbortController();
  private drainTimer: NodeJS.Timeout | null = null;
  private stage: InterruptStage | null = null;

  constructor(
    private readonly drainMs: number,
    private readonly onStage: (stage: InterruptStage) => void = () => {},
  ) {}

  get stopping(): boolean {
    return this.stage !== null;
  }

  get abortSignal(): AbortSignal {
    return this.abortController.signal;
  }

  /** Aborted at the first interrupt: ends waits that start nothing (a lock wait, a backoff). */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** One Ctrl-C (or SIGTERM). Returns the stage the run is now in. */
  interrupt(): InterruptStage {
    if (this.stage === null) {
      this.stage = "draining";
      this.stopController.abort(new Error("interrupted"));
      this.onStage("draining");
      this.drainTimer = setTimeout(() => this.abort(), this.drainMs);
      this.drainTimer.unref();
      return "draining";
    }
    this.abort();
    return "aborting";
  }

  private abort(): void {
    if (this.abortController.signal.aborted) return;
    this.stage = "aborting";
    if (!this.stopController.signal.aborted) this.stopController.abort(new Error("interrupted"));
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.onStage("aborting");
    this.abortController.abort(new Error("aborted by a second interrupt"));
  }

  dispose(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
  }
}
