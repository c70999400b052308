/**
 * Documented exit codes (docs/exit-codes.md). Each failure class has its own code so scripts
 * and CI can tell "the file is wrong" from "a host is down" from "someone else holds the lock".
 */
export const ExitCode = {
  /** Success; for `plan`, nothing to do. */
  Ok: 0,
  /** Unexpected error (bug, I/O error on the controller: a run journal or a backup store that cannot be written, or its own stdout: a full disk under `> file` makes an exit that would have been 0 a 1, said on stderr, while a reader that went away, as `| head`, changes nothing), or bad command-line usage: an unknown option, or an option value that cannot be read (`--limit '~['`, `--replace foo`, `--concurrency 0`). */
  Error: 1,
  /** Changes pending: `plan --detailed-exitcode` with changes; `apply --max-risk` held steps back (the rest ran). `backup due`: at least one policy is due. */
  Changes: 2,
  /** The fleet file, inventory or plan file is invalid, or a well-formed `--limit`, `--policy`, `--replace` or `--target` names nothing the fleet has (`--limit` matching no host, or none of a saved plan's hosts), or a `backup run --sandbox` glob matches no sandbox the policies cover on the hosts, or a `backup restore` target host the fleet does not have, or a secret the steps of an `apply` need cannot be read (unset, empty, missing or of more than one line; nothing is changed). */
  ValidationError: 3,
  /** One or more hosts could not be reached (and none failed otherwise), a backup store's host among them. */
  Unreachable: 4,
  /** One or more hosts failed a step, or a sandbox they changed failed its health gate. */
  Failed: 5,
  /** A saved plan is stale for one or more hosts; those hosts were refused. */
  StalePlan: 6,
  /** A host lock is held by another run; those hosts were refused. */
  LockHeld: 7,
  /** The schema preflight refused state-touching work on one or more hosts. */
  PreflightRefused: 8,
  /** Interrupted (SIGINT/SIGTERM, or SIGHUP when the terminal goes away); the journal records where the run stopped. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * When a run ends with several kinds of trouble, the most severe wins, in this order:
 * interrupted > error > validation error > failed > preflight refused > stale plan > lock held >
 * unreachable > changes > ok.
 */
const SEVERITY: ExitCodeValue[] = [
  ExitCode.Interrupted,
  ExitCode.Error,
  ExitCode.ValidationError,
  ExitCode.Failed,
  ExitCode.PreflightRefused,
  ExitCode.StalePlan,
  ExitCode.LockHeld,
  ExitCode.Unreachable,
  ExitCode.Changes,
  ExitCode.Ok,
];

export function mostSevere(codes: Iterable<ExitCodeValue>): ExitCodeValue {
  let best: ExitCodeValue = ExitCode.Ok;
  for (const code of codes) {
    if (SEVERITY.indexOf(code) < SEVERITY.indexOf(best)) best = code;
  }
  return best;
}
