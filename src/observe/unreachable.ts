/**
 * How an observation that could not reach its host is named: with its kind (`unreachable
 * (timeout)`, `unreachable (host-key-unknown)`), or plainly when the kind is the word itself,
 * so no message reads "unreachable (unreachable)".
 */
export function unreachableLabel(unreachable: { kind: string }, word = "unreachable"): string {
  return unreachable.kind === word ? word : `${word} (${unreachable.kind})`;
}
