/**
 * The probe's view of one pid: `alive yes|no`, then `exe <target of /proc/<pid>/exe>` and one
 * `arg <word>` line per argv word of `/proc/<pid>/cmdline`.
 */
export interface ProcessView {
  pid: number;
  alive: boolean;
  argv: string[];
  /** Target of `/proc/<pid>/exe`; null when unreadable (another user's process). */
  exe: string | null;
  /** The executable was replaced or removed after the process started (`… (deleted)`). */
  exeDeleted: boolean;
}

export function parseProcessView(pid: number, text: string): ProcessView {
  const view: ProcessView = { pid, alive: false, argv: [], exe: null, exeDeleted: false };
  for (const line of text.split("\n")) {
    if (line === "alive yes") view.alive = true;
    else if (line.startsWith("arg ")) view.argv.push(line.slice(4));
    else if (line.startsWith("exe ") && line.length > 4) {
      const target = line.slice(4);
      view.exeDeleted = target.endsWith(" (deleted)");
      view.exe = target.replace(/ \(deleted\)$/, "");
    }
  }
  return view;
}

/** The gateway binary a process runs, when its argv0 names one. */
export function isGatewayProcess(view: ProcessView): boolean {
  const argv0 = view.argv[0] ?? "";
  return /(?:^|\/)openshell-(?:gateway|server)$/.test(argv0);
}

/** Liveness of a pid on this machine: signal 0 probes without delivering anything. */
export function localPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
