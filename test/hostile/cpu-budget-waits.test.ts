// A user domain's CPU budget bounds each run between two waits (main up to its first wait, then
// each event's handling), as fuel bounds each entry in the kernel domain: a server that works in
// short bursts lives as long as it has work, and a handler that never returns still ends. A wait
// that carries a batch (batch.submit-and-wait) is a wait as much as events.wait is.
import { expect } from "chai";
import { NODE_USER, withEventKernel } from "../helpers/event-kernel.js";
import { eventApp, eventManifest, startTimer, REPORT_EVENT } from "../helpers/event-apps.js";
import { entry, ring, ringSegment } from "../helpers/batch-ring.js";
import { Syscall } from "../../runtime/abi/index.js";

/** The budget of every process here, small so the suite is quick. */
const CPU_MILLISECONDS = 150;
/** How long each tick's handler keeps the CPU busy (by the monotonic clock, so at most this much CPU). */
const BURST_MILLISECONDS = 40;
const TICKS = 20;
/** Where the submit-and-wait serve loop keeps the ring it hands over with every wait. */
const RING = 40960;

/** Spins until `milliseconds` of monotonic time have passed since the handler began. */
const burst = (milliseconds: number) => `(local.set $until (i64.add (call $now) (i64.const ${milliseconds * 1_000_000})))
    (block $done (loop $spin (br_if $done (i64.ge_u (call $now) (local.get $until))) (br $spin)))`;

describe("hostile: a user domain's CPU budget counts from its last wait", function () {
  this.timeout(60_000);

  for (const [wait, serveBatch] of [["events.wait", undefined], ["batch.submit-and-wait", { address: RING, count: 1 }]] as const) {
    it(`lets ${TICKS} events each burn ${BURST_MILLISECONDS} ms, ${TICKS * BURST_MILLISECONDS} ms in all, under a ${CPU_MILLISECONDS} ms budget, waiting with ${wait}`, async () => {
      await withEventKernel(NODE_USER, async (system) => {
        const bytes = await eventApp({
          serveBatch,
          fields: serveBatch ? ringSegment(RING, ring(entry(Syscall.processId))) : undefined,
          globals: ["ticks"],
          longLocals: ["until"],
          main: `${startTimer(5, 5, 1)} (drop) (i32.const 0)`,
          dispatch: `${burst(BURST_MILLISECONDS)} ${REPORT_EVENT}
            (global.set $ticks (i32.add (global.get $ticks) (i32.const 1)))
            (if (i32.ge_u (global.get $ticks) (i32.const ${TICKS})) (then (call $exit (i32.const 7))))`,
        });
        const image = system.load(bytes, eventManifest("bursts", { limits: { cpuMilliseconds: CPU_MILLISECONDS } }));
        const run = system.spawn(image, { domain: "user" });
        // Read at the last tick's line, while the domain is still there to ask.
        let charged = 0;
        system.onLine = () => { charged = run.process.userDomain?.stats().userMilliseconds ?? charged; };
        const status = await run.status;
        expect(status).to.deep.equal({ kind: "exited", code: 7 });
        expect(run.lines()).to.have.length(TICKS);
        // The whole run was charged more than one budget: a budget for the whole process would have ended it.
        expect(charged).to.be.greaterThan(CPU_MILLISECONDS);
        if (serveBatch) expect(run.process.userDomain!.stats().trapsByCall["events.wait"]).to.equal(undefined);
      });
    });
  }

  it("still ends a handler that never returns, with cpu-budget naming the run since the wait", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const bytes = await eventApp({
        main: `${startTimer(5, 0, 1)} (drop) (i32.const 0)`,
        dispatch: `(loop $forever (br $forever))`,
      });
      const image = system.load(bytes, eventManifest("endless-handler", { limits: { cpuMilliseconds: CPU_MILLISECONDS } }));
      const status = await system.spawn(image, { domain: "user" }).status;
      expect(status.kind).to.equal("faulted");
      if (status.kind !== "faulted") return;
      expect(status.fault.kind).to.equal("cpu-budget");
      expect(status.fault.message).to.match(new RegExp(`^ran \\d+\\.\\d ms in user mode without waiting \\(budget ${CPU_MILLISECONDS} ms\\)$`));
    });
  });
});
