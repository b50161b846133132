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

// Errors of the file namespace (kernel/files), one per code it answers with.

export class NotFoundError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notFound);
  }
}

export class AlreadyExistsError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.alreadyExists);
  }
}

export class NotDirectoryError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notDirectory);
  }
}

export class IsDirectoryError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.isDirectory);
  }
}

export class NotEmptyError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notEmpty);
  }
}

/** A write to a read-only mount, or through a file handle opened without write. */
export class ReadOnlyError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.readOnly);
  }
}

export class NameTooLongError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.nameTooLong);
  }
}

/** Too many symbolic links while resolving a path, or a loop of them. */
export class TooManyLinksError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.tooManyLinks);
  }
}

export class FileTooBigError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.fileTooBig);
  }
}

/** A rename from one mount to another. */
export class CrossDeviceError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.crossDevice);
  }
}

/** A host failure the kernel has no closer code for. */
export class InputOutputError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.ioError);
  }
}
