// Console output helpers for the CLI: line prefixes for many processes at once.
import { MAX_PREFIXED_LINE_UNITS } from "../params.js";
import type { OutputFailure, OutputStream, OutputTarget } from "../process/index.js";

export interface PrefixedOutput extends OutputTarget {
  /** Ends a partial line still held, so the last words of a process are not lost. */
  flush(): void;
  /** Units copied into new strings so far: stays linear in what was written (the old sink re-copied its partial line on every write). */
  readonly copiedUnits: number;
  /** Most units of partial line held for one stream at once (at most MAX_PREFIXED_LINE_UNITS). */
  readonly peakHeldUnits: number;
}

/**
 * A target that prefixes each line with `prefix` before passing it to `target`. A partial line
 * is held as a list of pieces and joined once, when its newline comes, so many small writes
 * without a newline cost linear work; a line longer than MAX_PREFIXED_LINE_UNITS is broken
 * there. Takes text only while `target` is writable (a process's output queue holds the rest);
 * `target` must take a whole piece while it is writable, as the console device does.
 */
export function prefixedOutput(prefix: string, target: OutputTarget): PrefixedOutput {
  const held: Record<OutputStream, { pieces: string[]; units: number }> = {
    stdout: { pieces: [], units: 0 },
    stderr: { pieces: [], units: 0 },
  };
  let copiedUnits = 0;
  let peakHeldUnits = 0;

  /** The held partial line followed by `text`, as one string. */
  function takeHeld(stream: OutputStream, text: string): string {
    const line = held[stream];
    if (line.units === 0) return text;
    line.pieces.push(text);
    const joined = line.pieces.join("");
    copiedUnits += joined.length;
    line.pieces = [];
    line.units = 0;
    return joined;
  }

  function emit(stream: OutputStream, completeLines: string): void {
    // completeLines ends with "\n": prefix its start and every line start after a newline but the last.
    const body = completeLines.slice(0, -1).replaceAll("\n", `\n${prefix}`);
    const out = `${prefix}${body}\n`;
    copiedUnits += out.length;
    target.write(stream, out);
  }

  const output: PrefixedOutput = {
    write(stream: OutputStream, text: string): number {
      if (target.failure?.(stream) || target.writable?.(stream) === false) return 0;
      const lastNewline = text.lastIndexOf("\n");
      const line = held[stream];
      if (lastNewline < 0) {
        line.pieces.push(text);
        line.units += text.length;
        peakHeldUnits = Math.max(peakHeldUnits, line.units);
        if (line.units >= MAX_PREFIXED_LINE_UNITS) emit(stream, `${takeHeld(stream, "")}\n`);
        return text.length;
      }
      emit(stream, takeHeld(stream, lastNewline === text.length - 1 ? text : text.slice(0, lastNewline + 1)));
      if (lastNewline < text.length - 1) {
        const rest = text.slice(lastNewline + 1);
        line.pieces.push(rest);
        line.units = rest.length;
        peakHeldUnits = Math.max(peakHeldUnits, line.units);
      }
      return text.length;
    },
    writable: (stream) => target.writable?.(stream) ?? true,
    failure: (stream): OutputFailure | undefined => target.failure?.(stream),
    whenWritable: target.whenWritable ? (stream, listener) => target.whenWritable!(stream, listener) : undefined,
    flush(): void {
      for (const stream of ["stdout", "stderr"] as const) {
        if (held[stream].units > 0 && !target.failure?.(stream)) emit(stream, `${takeHeld(stream, "")}\n`);
        held[stream] = { pieces: [], units: 0 };
      }
    },
    get copiedUnits() { return copiedUnits; },
    get peakHeldUnits() { return peakHeldUnits; },
  };
  return output;
}
