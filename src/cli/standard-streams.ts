/**
 * nemoclaw's own stdout and stderr when they cannot take the output: a reader that went away
 * (`nemoclaw inventory --list | head`), a full disk under `> log`. Node would end the process on the
 * stream's unhandled error, mid-run, with a stack trace and the host locks left behind; and it
 * drops the rest of a write that a regular file took only in part (its file stream ignores short
 * writes), so a cut-short `--json > facts.json` exited 0.
 *
 * Output that cannot be written is dropped and the command goes on to its end (a run's journal is a
 * file and keeps everything, as after a hangup). A reader that went away wanted no more (EPIPE):
 * nothing is said. Any other failure is said on stderr when the process exits, and an exit that
 * would have been 0 becomes 1 (docs/exit-codes.md: an I/O error on the controller).
 */
import { fstatSync, writeFileSync, writeSync } from "node:fs";
import type { Writable } from "node:stream";

interface StandardStream {
  name: "stdout" | "stderr";
  fd: number;
  stream: Writable;
}

export function guardStandardStreams(proc: NodeJS.Process = process): void {
  const failures = new Map<string, NodeJS.ErrnoException>();
  const streams: StandardStream[] = [
    { name: "stdout", fd: 1, stream: proc.stdout },
    { name: "stderr", fd: 2, stream: proc.stderr },
  ];
  for (const { name, fd, stream } of streams) {
    if (isRegularFile(fd)) writeWholeChunks(stream, fd);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (!failures.has(name)) failures.set(name, error);
    });
  }
  proc.on("exit", () => {
    const lost = [...failures].filter(([, error]) => error.code !== "EPIPE");
    if (lost.length === 0) return;
    for (const [name, error] of lost) {
      try {
        writeSync(2, `nemoclaw: ${name} could not be written (${error.message}); what it shows is incomplete\n`);
      } catch {
        // stderr is what failed: the exit code alone tells.
      }
    }
    if (!proc.exitCode) proc.exitCode = 1;
  });
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * A regular file's stream writes each chunk until every byte is out (writeFileSync loops over
 * short writes), so a disk that fills up fails the write, with its reason, instead of silently
 * keeping part of it.
 */
function writeWholeChunks(stream: Writable, fd: number): void {
  stream._write = (chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void) => {
    try {
      writeFileSync(fd, chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  };
}
