// Regression: a process whose handler yields was put back in the run queue twice per delivery
// (once by the arriving yield, once after the delivery), so its places multiplied: it took
// several turns in a row ahead of its neighbours and the run queue grew by one per delivery.
import { expect } from "chai";
import { eventApp, eventManifest, line, text } from "../helpers/event-apps.js";
import { EventKernel } from "../helpers/event-kernel.js";

const DELIVERIES_EACH = 6;

/** Prints `letter` at each delivery and yields again until it has had `DELIVERIES_EACH`. */
function yieldingWriter(letter: string) {
  return eventApp({
    globals: ["delivered"],
    main: `(drop (call $yield (i32.const 0))) (i32.const 0)`,
    dispatch: `
      ${line(text(letter))}
      (global.set $delivered (i32.add (global.get $delivered) (i32.const 1)))
      (if (i32.lt_u (global.get $delivered) (i32.const ${DELIVERIES_EACH})) (then (drop (call $yield (i32.const 0)))))`,
  });
}

describe("kernel/scheduler: a process that yields from its handler", () => {
  it("takes turns with its neighbour, one delivery each, and holds one place in the run queue", async () => {
    const system = new EventKernel();
    const runQueueSizes: number[] = [];
    system.onLine = () => runQueueSizes.push(system.kernel.scheduler.runnable);
    const [first, second] = await Promise.all(["a", "b"].map(async (letter) =>
      system.load(await yieldingWriter(letter), eventManifest(`writer-${letter}`, { capabilities: ["console"] }))));
    const writers = [first!, second!].map((image) => system.spawn(image, { domain: "kernel" }));
    const [firstStatus, secondStatus] = await Promise.all(writers.map((writer) => writer.status));
    expect(firstStatus).to.deep.equal({ kind: "exited", code: 0 });
    expect(secondStatus).to.deep.equal({ kind: "exited", code: 0 });
    expect(system.printed.map((printed) => printed.text).join("")).to.equal("ab".repeat(DELIVERIES_EACH));
    // During a delivery the delivered process is out of the queue: its neighbour at most is waiting.
    expect(Math.max(...runQueueSizes)).to.equal(1);
    expect(system.kernel.scheduler.deliveries).to.equal(2 * DELIVERIES_EACH);
  });
});
