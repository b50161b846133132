// A bystander beside hostile processes: apps/ticker in the kernel domain on the sim HAL, ticking
// on the virtual clock. After an attack the test moves the clock one period and checks the
// ticker printed exactly one more tick: the kernel and its scheduler kept serving others.
import { expect } from "chai";
import type { Kernel, Process } from "../../kernel/index.js";
import { appBytes } from "./kernel.js";

const TICK_MILLISECONDS = 10;
/** More ticks than any suite moves the clock for: the ticker is still running when the suite ends it. */
const TICKS = 1_000_000;

export interface Bystander {
  readonly process: Process;
  /** Moves the virtual clock one tick and checks exactly one more tick was printed. */
  expectTicking(): Promise<void>;
  /** Ends the ticker (killed: it would run on). */
  stop(): Promise<void>;
}

/** Starts the ticker on `kernel`, which must run on the sim HAL (its timer moves only when told). */
export async function startBystander(kernel: Kernel): Promise<Bystander> {
  const timer = kernel.devices.timer as unknown as { advance(milliseconds: number): void };
  let stdout = "";
  const process = kernel.spawn(kernel.load(appBytes("ticker"), { name: "bystander" }), {
    domain: "kernel", args: [String(TICKS), String(TICK_MILLISECONDS)], output: (_stream, text) => { stdout += text; },
  });
  await kernel.scheduler.idle();
  let ticks = 0;
  return {
    process,
    async expectTicking() {
      timer.advance(TICK_MILLISECONDS);
      await kernel.scheduler.idle();
      ticks++;
      expect(process.status, "the bystander is still running").to.equal(undefined);
      expect(stdout.trimEnd().split("\n").at(-1)).to.equal(`tick ${ticks} of ${TICKS}`);
    },
    async stop() {
      kernel.kill(process, "the suite is done with its bystander");
      await process.completion;
    },
  };
}
