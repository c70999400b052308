/** A backup or restore that was refused before anything was changed, with the reason to act on. */
export class BackupRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host}: ${reason}`);
    this.name = "BackupRefusedError";
  }
}
