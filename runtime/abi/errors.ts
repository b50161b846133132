// Error codes at the ABI: fixed numbers, returned negated by calls that can fail. Numbers
// follow the classic errno values where one fits, so they read familiarly in logs.
export const ErrorCode = {
  ok: 0,
  /** The caller lacks the capability or right for this call. */
  notPermitted: 1,
  /** The named object does not exist. */
  notFound: 2,
  /** A host input/output error the kernel cannot say more about (EIO). */
  ioError: 5,
  /** The name is taken already (a service published twice, a file created exclusively). */
  alreadyExists: 17,
  /** A rename across two mounts (EXDEV). */
  crossDevice: 18,
  /** A path component is not a directory (ENOTDIR). */
  notDirectory: 20,
  /** The call needs a file and was given a directory (EISDIR). */
  isDirectory: 21,
  /** The file would grow past the kernel's file size limit (EFBIG). */
  fileTooBig: 27,
  /** A write to a read-only mount or a file opened read-only (EROFS). */
  readOnly: 30,
  /** A path or one of its names is longer than the kernel allows (ENAMETOOLONG). */
  nameTooLong: 36,
  /** A directory that is not empty cannot be removed or replaced (ENOTEMPTY). */
  notEmpty: 39,
  /** Too many symbolic links while resolving a path, or a link loop (ELOOP). */
  tooManyLinks: 40,
  /** A datagram larger than the kernel allows (EMSGSIZE). */
  messageTooLong: 90,
  /** The address and port are in use by another socket (EADDRINUSE). */
  addressInUse: 98,
  /** The address is not one the kernel's policy lets the process use (EADDRNOTAVAIL). */
  addressNotAvailable: 99,
  /** The peer reset the connection (ECONNRESET). */
  connectionReset: 104,
  /** The socket is not connected, or its sending side was shut down (ENOTCONN). */
  notConnected: 107,
  /** Nothing listens at the address (ECONNREFUSED). */
  connectionRefused: 111,
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
  /** A linked batch entry did not run: the entry before it failed or had nothing to pass on (ECANCELED). */
  canceled: 125,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

/**
 * What an app prints for each code, after the object it concerns ("cat: /data/d: Is a
 * directory"). A code that stands for an errno carries that errno's text as glibc words it, so
 * apps/find's complaints read as GNU find's; the others say what the kernel means by them. The
 * AssemblyScript runtime's `errorMessage` is generated from this table (`npm run generate`).
 */
export const ERROR_MESSAGES: Readonly<Record<ErrorCodeName, string>> = {
  ok: "Success",
  notPermitted: "Operation not permitted",
  notFound: "No such file or directory",
  ioError: "Input/output error",
  alreadyExists: "File exists",
  crossDevice: "Invalid cross-device link",
  notDirectory: "Not a directory",
  isDirectory: "Is a directory",
  fileTooBig: "File too large",
  readOnly: "Read-only file system",
  nameTooLong: "File name too long",
  notEmpty: "Directory not empty",
  tooManyLinks: "Too many levels of symbolic links",
  messageTooLong: "Message too long",
  addressInUse: "Address already in use",
  addressNotAvailable: "Cannot assign requested address",
  connectionReset: "Connection reset by peer",
  notConnected: "Transport endpoint is not connected",
  connectionRefused: "Connection refused",
  badHandle: "Bad handle",
  wouldBlock: "Would block: try again later",
  noMemory: "A per-process limit is reached",
  badAddress: "Bad address",
  invalidArgument: "Invalid argument",
  notImplemented: "Function not implemented",
  peerClosed: "The peer closed",
  noEventSources: "No event source could ever wake the caller",
  protocolViolation: "Not allowed by the channel's contract",
  canceled: "Operation canceled",
};

const namesByCode = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

export function errorCodeName(code: number): ErrorCodeName | "unknown" {
  return namesByCode.get(Math.abs(code)) ?? "unknown";
}
