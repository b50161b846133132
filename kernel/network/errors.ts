// Network errors: typed kernel errors for the ABI's socket codes, and the host's failures mapped onto them.
import { ErrorCode } from "../../runtime/abi/index.js";
import { KernelError } from "../errors.js";
import type { NetworkFailure } from "../../hal/hil/index.js";

export class AddressInUseError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.addressInUse);
  }
}

/** An address the manifest or the policy does not allow, or one the host cannot use. */
export class AddressNotAvailableError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.addressNotAvailable);
  }
}

export class ConnectionRefusedError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.connectionRefused);
  }
}

export class ConnectionResetError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.connectionReset);
  }
}

export class NotConnectedError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.notConnected);
  }
}

export class MessageTooLongError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.messageTooLong);
  }
}

export class NetworkIoError extends KernelError {
  constructor(detail: string) {
    super(detail, ErrorCode.ioError);
  }
}

/** The kernel error a host failure stands for; unknown host errors are input/output errors. */
export function errorOfFailure(failure: NetworkFailure, what: string): KernelError {
  const detail = `${what}: ${failure.message}`;
  switch (failure.code) {
    case "EADDRINUSE": return new AddressInUseError(detail);
    case "EADDRNOTAVAIL": case "EACCES": return new AddressNotAvailableError(detail);
    case "ECONNREFUSED": return new ConnectionRefusedError(detail);
    case "ECONNRESET": case "EPIPE": case "ECONNABORTED": return new ConnectionResetError(detail);
    default: return new NetworkIoError(detail);
  }
}
