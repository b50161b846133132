// Regression: a process whose handler yields was put back in the run queue twice per delivery
// (once by the arriving yield, once after the delivery), so its places multiplied: it took
// several turns in a row ahead of its neighbours and the run queue grew by one per delivery.
import { expect } from "chai";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, type Kernel } from "../../kernel/index.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

const DELIVERIES_EACH = 6;

/** Writes `letter` at each delivery and yields again until it has had `DELIVERIES_EACH`. */
function yieldingWriter(letter: string): string {
  return conformantModule(`
  (import "singlet:kernel/process@0.1.0" "yield" (func $yield (param i32) (result i32)))
  (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))`,
  `(drop (call $yield (i32.const 0))) (i32.const 0)`, `
  (data (i32.const 64) "${letter}\\00")
  (global $left (mut i32) (i32.const ${DELIVERIES_EACH}))
  (func (export "dispatch") (param i32 i32)
    (drop (call $write (i32.const 64) (i32.const 1)))
    (global.set $left (i32.sub (global.get $left) (i32.const 1)))
    (if (global.get $left) (then (drop (call $yield (i32.const 0))))))`);
}

async function spawnWriter(kernel: Kernel, letter: string, log: string[], runQueueSizes: number[]) {
  const image = kernel.load(await assembleWat(yieldingWriter(letter)), {
    manifest: { name: `writer-${letter}`, capabilities: ["console"], entryPoints: { main: {}, dispatch: {} } },
  });
  return kernel.spawn(image, { domain: "kernel", output: (_stream, text) => { log.push(text); runQueueSizes.push(kernel.scheduler.runnable); } });
}

describe("kernel/scheduler: a process that yields from its handler", () => {
  it("takes turns with its neighbour, one delivery each, and holds one place in the run queue", async () => {
    const kernel = bootKernel({ hal: createSimHal(), devices: { console: { write: () => undefined } } });
    const log: string[] = [];
    const runQueueSizes: number[] = [];
    const first = await spawnWriter(kernel, "a", log, runQueueSizes);
    const second = await spawnWriter(kernel, "b", log, runQueueSizes);
    const [firstStatus, secondStatus] = await Promise.all([first.completion, second.completion]);
    expect(firstStatus).to.deep.equal({ kind: "exited", code: 0 });
    expect(secondStatus).to.deep.equal({ kind: "exited", code: 0 });
    expect(log.join("")).to.equal("ab".repeat(DELIVERIES_EACH));
    // During a delivery the delivered process is out of the queue: its neighbour at most is waiting.
    expect(Math.max(...runQueueSizes)).to.equal(1);
    expect(kernel.scheduler.deliveries).to.equal(2 * DELIVERIES_EACH);
  });
});
