// Typed errors inside the kernel; each carries the numeric ABI code it maps to.
import { ErrorCode, badAddressText } from "../runtime/abi/index.js";

export class KernelError extends Error {
  constructor(message: string, readonly errorCode: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** A handle that is stale, forged, revoked or of the wrong kind. */
export class BadHandleError extends KernelError {
  constructor(readonly handle: number, detail: string) {
    super(`bad handle ${handle}: ${detail}`, ErrorCode.badHandle);
  }
}

export class NotPermittedError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notPermitted);
  }
}

/** A pointer or length outside the caller's memory. */
export class BadAddressError extends KernelError {
  constructor(readonly pointer: number, readonly length: number, readonly memoryBytes: number) {
    super(badAddressText(pointer, length, memoryBytes), ErrorCode.badAddress);
  }
}

export class InvalidArgumentError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.invalidArgument);
  }
}

/** A module could not be loaded: not found, rejected by the verifier, or not instantiable. */
export class LoadError extends KernelError {
  /**
   * `findingCodes` are the verifier's codes behind a refusal (docs/verifier/messages.md), in the
   * order of `reasons`, when the verifier refused; empty otherwise.
   */
  constructor(message: string, readonly reasons: readonly string[] = [], readonly findingCodes: readonly string[] = []) {
    super(message, ErrorCode.invalidArgument);
  }
}

export class ResourceLimitError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.noMemory);
  }
}

export class NotImplementedError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notImplemented);
  }
}

/** The other end of a channel is closed: its last handle was dropped or its process ended. */
export class PeerClosedError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.peerClosed);
  }
}

/** A message the channel's contract does not allow from this side in the channel's state. */
export class ProtocolViolationError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.protocolViolation);
  }
}
