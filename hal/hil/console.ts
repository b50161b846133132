// The console device: two output streams with a bounded backlog; writes never block.

export type ConsoleStream = "stdout" | "stderr";

/** Why a stream takes no more output: its reader went away or writing to it failed. */
export interface ConsoleStreamFailure {
  /** The host's error code, e.g. `EPIPE` when the reader closed the pipe. */
  readonly code: string;
  readonly message: string;
}

/**
 * A console device. `write` is the only required operation: a device without the others (a
 * recording console in tests) is always writable and never fails.
 */
export interface ConsoleDevice {
  /**
   * Offers `text`; returns the UTF-16 code units accepted. A device with a backlog accepts the
   * whole text while it is under its high-water mark and nothing (0) once it is at or over it,
   * or once the stream has failed. Never blocks and never throws because of the reader.
   */
  write(stream: ConsoleStream, text: string): number;
  /** Whether `write` would accept text now. */
  writable?(stream: ConsoleStream): boolean;
  /** Why the stream has stopped taking output, once it has; undefined while it works. */
  failure?(stream: ConsoleStream): ConsoleStreamFailure | undefined;
  /** Calls `listener` once, when `stream` can take output again or has failed. */
  whenWritable?(stream: ConsoleStream, listener: () => void): void;
  /** Units accepted and not yet taken by the reader. */
  backlog?(stream: ConsoleStream): number;
  /** Resolves once everything accepted has reached the reader or the stream has failed. */
  flushed?(stream: ConsoleStream): Promise<void>;
}
