// The console device: two output streams; writes complete synchronously.

export type ConsoleStream = "stdout" | "stderr";

export interface ConsoleDevice {
  /** Writes `text`; returns the UTF-16 code units accepted. */
  write(stream: ConsoleStream, text: string): number;
}
