// A console that records what was written, stream by stream, for tests to read back.
import type { ConsoleDevice, ConsoleStream } from "../hil/index.js";

export interface ConsoleRecord { readonly stream: ConsoleStream; readonly text: string }

export class RecordingConsole implements ConsoleDevice {
  readonly records: ConsoleRecord[] = [];

  write(stream: ConsoleStream, text: string): number {
    this.records.push({ stream, text });
    return text.length;
  }

  /** Everything written to `stream`, joined. */
  text(stream: ConsoleStream = "stdout"): string {
    return this.records.filter((record) => record.stream === stream).map((record) => record.text).join("");
  }
}
