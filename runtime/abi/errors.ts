// Error codes at the ABI: fixed numbers, returned negated by calls that can fail. Numbers
// follow the classic errno values where one fits, so they read familiarly in logs.
export const ErrorCode = {
  ok: 0,
  /** The caller lacks the capability or right for this call. */
  notPermitted: 1,
  /** The named object does not exist. */
  notFound: 2,
  /** The name is taken already (a service published twice). */
  alreadyExists: 17,
  /** A handle is stale, forged, revoked or of the wrong kind. */
  badHandle: 9,
  /** Nothing could be done now without waiting (a full output queue); try again later. */
  wouldBlock: 11,
  /** Out of a per-process resource (handles, memory). */
  noMemory: 12,
  /** A pointer or length points outside the caller's accessible memory. */
  badAddress: 14,
  /** An argument is out of range. */
  invalidArgument: 22,
  /** The call is not implemented in this domain. */
  notImplemented: 38,
  /** The peer has gone away. */
  peerClosed: 32,
  /** The caller waits for an event, but holds nothing that could ever send one (ENOMSG's number). */
  noEventSources: 42,
  /** A message the channel's contract does not allow from this side in its state (EPROTO's number). */
  protocolViolation: 71,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

const namesByCode = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

export function errorCodeName(code: number): ErrorCodeName | "unknown" {
  return namesByCode.get(Math.abs(code)) ?? "unknown";
}
