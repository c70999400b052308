/**
 * The idle watch on a backup's or restore's archive stream: a stream that moves no data for a
 * while is stopped, so a hung host or store fails that one sandbox instead of holding the run
 * forever. Used by `backup run` (snapshot → store) and `backup restore` (store → host).
 */
import { type Readable, Transform } from "node:stream";

/**
 * How long an archive stream may move nothing. A snapshot is already on the host's disk when `tar`
 * streams it, and a stored archive is a file in the store, so a healthy host or store never pauses
 * this long.
 */
export const STREAM_IDLE_MS = 10 * 60_000;

export interface IdleWatch {
  /** `source` passed through. */
  stream: Readable;
  /** Whether the watch fired (the stream was idle for the whole bound). */
  fired(): boolean;
  /** Disarm: call once the stream is done with, whatever the outcome. */
  stop(): void;
}

/**
 * `source` passed through, calling `onIdle` once when no data has moved for `ms` (the source sent
 * nothing, or the reader took nothing) before the source ended. A pass-through rather than a listener on `source`, so the
 * stream keeps its backpressure and loses nothing before the reader reads it.
 */
export function watchIdle(source: Readable, ms: number, onIdle: () => void): IdleWatch {
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      onIdle();
    }, ms);
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      callback(null, chunk);
    },
    // All data has moved: what the reader does after (a commit, a re-read) is not this watch's to time.
    flush(callback) {
      clearTimeout(timer);
      callback();
    },
  });
  source.once("error", (error) => stream.destroy(error));
  source.pipe(stream);
  arm();
  return { stream, fired: () => fired, stop: () => clearTimeout(timer) };
}

/** How an idle stop reads in a message: "no data moved for 600 s". */
export function idleDetail(ms: number): string {
  return `no data moved for ${Math.round(ms / 1000)} s`;
}
