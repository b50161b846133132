// A kernel on the sim HAL for suites where time matters: the virtual clock moves only when a test
// moves it, and every line a process prints is recorded with the virtual time it arrived at.
import { createSimHal, type SimHal } from "../../hal/sim/index.js";
import { bootKernel, type Domain, type ExitStatus, type Kernel, type ModuleImage, type Principal, type Process } from "../../kernel/index.js";
import type { Manifest } from "../../runtime/abi/index.js";

export interface PrintedLine {
  /** The name the process was spawned with. */
  readonly process: string;
  readonly text: string;
  /** Virtual milliseconds since boot when the line was written. */
  readonly atMilliseconds: number;
}

export interface SimulatedProcess {
  readonly process: Process;
  readonly status: Promise<ExitStatus>;
  /** The lines this process printed so far, without their newlines. */
  lines(): string[];
}

/** Turns of Node's event loop `settle` gives user-domain processes: an arriving event resumes serve within one. */
const SETTLING_TURNS = 3;

export class SimulatedKernel {
  readonly hal: SimHal = createSimHal();
  readonly kernel: Kernel = bootKernel({ hal: this.hal, devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
  /** Every line of every process, in the order written. */
  readonly printed: PrintedLine[] = [];
  /** Called with each line as it is written (a test watching for one). */
  onLine: ((line: PrintedLine) => void) | undefined;

  load(bytes: Uint8Array<ArrayBuffer>, manifest: Manifest): ModuleImage {
    return this.kernel.load(bytes, { name: manifest.name, manifest });
  }

  spawn(image: ModuleImage, options: { name?: string; domain?: Domain; principal?: Principal } = {}): SimulatedProcess {
    const name = options.name ?? image.name;
    const mine: string[] = [];
    const process = this.kernel.spawn(image, {
      name, domain: options.domain, principal: options.principal,
      output: (stream, written) => {
        for (const text of textLines(stream === "stderr" ? `stderr: ${written}` : written)) {
          const printed = { process: name, text, atMilliseconds: this.hal.timer.now() };
          mine.push(text);
          this.printed.push(printed);
          this.onLine?.(printed);
        }
      },
    });
    return { process, status: process.completion, lines: () => [...mine] };
  }

  /** Lets every delivery the current time allows happen: in-kernel processes and user domains alike. */
  async settle(): Promise<void> {
    for (let turn = 0; turn < SETTLING_TURNS; turn++) {
      await this.kernel.scheduler.idle();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Moves the virtual clock `milliseconds` forward in one step, then settles. */
  async advance(milliseconds: number): Promise<void> {
    this.hal.timer.advance(milliseconds);
    await this.settle();
  }

  /** Moves the virtual clock one millisecond at a time, settling after each, so each line's time is the first at which it could be printed. */
  async stepThrough(milliseconds: number): Promise<void> {
    for (let step = 0; step < milliseconds; step++) await this.advance(1);
  }

  /** What `name` printed, each line with the virtual millisecond it arrived at: "12: timer 1 at 12000000". */
  timeline(name: string): string[] {
    return this.printed.filter((printed) => printed.process === name).map((printed) => `${printed.atMilliseconds}: ${printed.text}`);
  }
}

function textLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
