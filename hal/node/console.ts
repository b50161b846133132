// The Node console device: the host process's standard output and error.
import type { ConsoleDevice, ConsoleStream } from "../hil/index.js";

export class NodeConsole implements ConsoleDevice {
  write(stream: ConsoleStream, text: string): number {
    (stream === "stderr" ? process.stderr : process.stdout).write(text);
    return text.length;
  }
}
