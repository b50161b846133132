// Console output helpers for the CLI: line prefixes for many processes at once.
import type { OutputSink, OutputStream } from "../process/index.js";

/** A sink that prefixes each complete line with `prefix`, buffering partial lines per stream. */
export function prefixedSink(prefix: string, write: (stream: OutputStream, text: string) => void): OutputSink & { flush(): void } {
  const pending: Record<OutputStream, string> = { stdout: "", stderr: "" };
  const sink = (stream: OutputStream, text: string): void => {
    const lines = (pending[stream] + text).split("\n");
    pending[stream] = lines.pop()!;
    for (const line of lines) write(stream, `${prefix}${line}\n`);
  };
  sink.flush = (): void => {
    for (const stream of ["stdout", "stderr"] as const) {
      if (pending[stream] !== "") write(stream, `${prefix}${pending[stream]}\n`);
      pending[stream] = "";
    }
  };
  return sink;
}
