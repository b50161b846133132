// Host failures as kernel errors: the host's errno name picks the ABI code.
import { HostFileError } from "../../hal/hil/index.js";
import {
  AlreadyExistsError, CrossDeviceError, FileTooBigError, InputOutputError, InvalidArgumentError, IsDirectoryError, KernelError,
  NameTooLongError, NotDirectoryError, NotEmptyError, NotFoundError, NotPermittedError, ReadOnlyError, ResourceLimitError, TooManyLinksError,
} from "../errors.js";

const ERROR_OF_HOST_CODE: ReadonlyMap<string, new (detail: string) => KernelError> = new Map<string, new (detail: string) => KernelError>([
  ["ENOENT", NotFoundError],
  ["EEXIST", AlreadyExistsError],
  ["ENOTDIR", NotDirectoryError],
  ["EISDIR", IsDirectoryError],
  ["ENOTEMPTY", NotEmptyError],
  ["ELOOP", TooManyLinksError],
  ["ENAMETOOLONG", NameTooLongError],
  ["EXDEV", CrossDeviceError],
  ["EFBIG", FileTooBigError],
  ["EROFS", ReadOnlyError],
  ["EACCES", NotPermittedError],
  ["EPERM", NotPermittedError],
  // A socket file, or a FIFO opened for writing with no reader: nothing the kernel serves as a file.
  ["ENXIO", NotPermittedError],
  ["EINVAL", InvalidArgumentError],
  ["EMFILE", ResourceLimitError],
  ["ENFILE", ResourceLimitError],
  ["ENOSPC", ResourceLimitError],
  ["ENOMEM", ResourceLimitError],
]);

/**
 * Runs a host call; its HostFileError becomes the kernel error of the same meaning, described by
 * `guestPath` (never the host path: a process learns nothing of where a mount lives).
 */
export function onHost<Result>(guestPath: string, call: () => Result): Result {
  try {
    return call();
  } catch (error) {
    throw kernelErrorOf(error, guestPath);
  }
}

/** A HostFileError as the kernel error of the same meaning, described by `guestPath`; anything else as it is. */
export function kernelErrorOf(error: unknown, guestPath: string): unknown {
  if (!(error instanceof HostFileError)) return error;
  const Kind = ERROR_OF_HOST_CODE.get(error.code) ?? InputOutputError;
  return new Kind(`${guestPath}: ${error.code}`);
}
