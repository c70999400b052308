/**
 * Round trips as a measure: every command run, process spawned, upload and download is one SSH
 * session (a channel on the host's one connection). A connection wrapped here counts them, so a run
 * can report how many it opened per host (docs/performance.md).
 */
import type { Connection, RemoteCommand, RemoteProcess, RunOptions, RunResult, SpawnOptions } from "./types.js";

export class CountedConnection implements Connection {
  private opened = 0;

  constructor(private readonly inner: Connection) {}

  get host(): string {
    return this.inner.host;
  }

  /** Sessions opened on the host through this connection so far. */
  get sessions(): number {
    return this.opened;
  }

  run(command: RemoteCommand, options?: RunOptions): Promise<RunResult> {
    this.opened += 1;
    return this.inner.run(command, options);
  }

  spawn(command: RemoteCommand, options?: SpawnOptions): Promise<RemoteProcess> {
    this.opened += 1;
    return this.inner.spawn(command, options);
  }

  upload(...args: Parameters<Connection["upload"]>): Promise<void> {
    this.opened += 1;
    return this.inner.upload(...args);
  }

  download(...args: Parameters<Connection["download"]>): ReturnType<Connection["download"]> {
    this.opened += 1;
    return this.inner.download(...args);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
