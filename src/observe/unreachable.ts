import { TransportError } from "../transport/types.js";

/**
 * How an observation that could not reach its host is named: with its kind (`unreachable
 * (timeout)`, `unreachable (host-key-unknown)`), or plainly when the kind is the word itself,
 * so no message reads "unreachable (unreachable)".
 */
export function unreachableLabel(unreachable: { kind: string }, word = "unreachable"): string {
  return unreachable.kind === word ? word : `${word} (${unreachable.kind})`;
}

/** Why a host could not be observed, from the error that stopped it: the transport's kind and cause, without the host name its message starts with. */
export function unreachableCause(error: unknown): { kind: string; message: string } {
  if (error instanceof TransportError) return { kind: error.kind, message: error.cause_ };
  return { kind: "error", message: error instanceof Error ? error.message : String(error) };
}
