// Hostile uses of batch.submit-and-wait: forged and oversized rings with a wait run nothing and
// take no event; a submit-and-wait inside a ring is refused; an entry that exits ends the call
// before its wait; a call that waits for what never comes is ended by the kernel's rules (a kill),
// having run its entries once, and leaves nothing behind.
import { expect } from "chai";
import { ErrorCode, EventKind, Syscall } from "../../runtime/abi/index.js";
import { entry, resultAt, ring, ringSegment, statusAt, storeArgument } from "../helpers/batch-ring.js";
import { NODE_KERNEL, NODE_USER, SIM_KERNEL, SIM_USER, eventually, expectKilled, withEventKernel } from "../helpers/event-kernel.js";
import { createChannel, eventApp, eventManifest, highHalf, int, line, long, lowHalf, text } from "../helpers/event-apps.js";

const RING = 40960;
/** The apps' memory: one 64 KiB page. */
const MEMORY_BYTES = 65536;
const BLOCK_BYTES = 64;

describe("hostile: batch.submit-and-wait", function () {
  this.timeout(60_000);

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_KERNEL, NODE_USER]) {
    it(`refuses a ring past its 256 entries or outside memory, running nothing and taking no event (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const refusals: [string, number, number][] = [["257", RING, 257], ["all-ones", RING, -1], ["outside", MEMORY_BYTES - 20, 1]];
        const bytes = await eventApp({
          fields: ringSegment(RING, ring(entry(Syscall.blocksCreate, BigInt(BLOCK_BYTES)))),
          main: `(drop (call $yield (i32.const 4)))
            ${refusals.map(([name, address, count]) => line(text(name), long(`(call $submitAndWait (i32.const ${address}) (i32.const ${count}))`))).join("\n")}
            ${line(text("entry"), int(statusAt(RING, 0)), long(resultAt(RING, 0)), text("still"), long("(call $poll)"))}
            (i32.const 0)`,
        });
        const run = system.spawn(system.load(bytes, eventManifest("forged-ring")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.lines()).to.deep.equal([
          `257 -${ErrorCode.invalidArgument}`, `all-ones -${ErrorCode.invalidArgument}`, `outside -${ErrorCode.badAddress}`,
          // The entry never ran (no block made), and the yield is still queued for the next taker.
          `entry 0 0 still ${(BigInt(EventKind.yielded) << 32n) | 4n}`,
        ]);
        expect(run.process.exchange.blocks).to.equal(0);
      });
    });

    it(`ends the call at an entry that exits, before its wait (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const bytes = await eventApp({
          fields: ringSegment(RING, ring(entry(Syscall.processExit, 6n), entry(Syscall.blocksCreate, BigInt(BLOCK_BYTES)))),
          main: `(drop (call $yield (i32.const 4)))
            (drop (call $submitAndWait (i32.const ${RING}) (i32.const 2)))
            ${line(text("after the exit"))}
            (i32.const 0)`,
        });
        const run = system.spawn(system.load(bytes, eventManifest("exit-in-ring")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 6 });
        expect(run.lines()).to.deep.equal([]);
      });
    });
  }

  it("refuses a submit-and-wait or a submit inside a ring as an invalid argument, and runs the rest", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const bytes = await eventApp({
        fields: ringSegment(RING, ring(
          entry(Syscall.batchSubmitAndWait, BigInt(RING), 3n), entry(Syscall.batchSubmit, BigInt(RING), 3n), entry(Syscall.blocksCreate, BigInt(BLOCK_BYTES)),
        )),
        main: `(drop (call $yield (i32.const 4)))
          (drop (call $submitAndWait (i32.const ${RING}) (i32.const 3)))
          ${line(text("statuses"), int(statusAt(RING, 0)), int(statusAt(RING, 1)), int(statusAt(RING, 2)))}
          (i32.const 0)`,
      });
      const run = system.spawn(system.load(bytes, eventManifest("nested-ring")), { domain: "user" });
      expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(run.lines()).to.deep.equal([`statuses -${ErrorCode.invalidArgument} -${ErrorCode.invalidArgument} 0`]);
    });
  });

  it("a wait for what never comes parks (one crossing), is ended by a kill, its entries run once and everything released", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      // A watched endpoint whose peer the process holds and never writes to: it can wake, never will.
      const bytes = await eventApp({
        longLocals: ["pair"],
        fields: ringSegment(RING, ring(entry(Syscall.blocksCreate, BigInt(BLOCK_BYTES)))),
        main: `(local.set $pair ${createChannel()})
          (drop (call $watch ${lowHalf("(local.get $pair)")} (i32.const 1)))
          (drop ${highHalf("(local.get $pair)")})
          (drop (call $submitAndWait (i32.const ${RING}) (i32.const 1)))
          ${line(text("woke"))}
          (i32.const 0)`,
      });
      const run = system.spawn(system.load(bytes, eventManifest("waits-forever")), { domain: "user" });
      await eventually(() => run.process.exchange.blocks === 1, "the entry to make its block");
      // Parked: a while later it has made no second block and taken no second crossing.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(run.process.exchange.blocks).to.equal(1);
      expect(run.process.userDomain!.stats().trapsByCall["batch.submit-and-wait"]).to.equal(1);
      system.kernel.kill(run.process, "waited too long");
      expectKilled(await run.status, /waited too long/);
      expect(run.lines()).to.deep.equal([]);
      await system.expectEventsReleased(run.process);
      expect(run.process.exchange.blocks).to.equal(0);
    });
  });

  it("keeps a forged handle in a ring with a wait from reaching anything: the entry fails, the call does not wait", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const bytes = await eventApp({
        longLocals: ["pair"],
        globals: ["server"],
        fields: ringSegment(RING, ring(entry(Syscall.channelsSend, 0n, 1n, 0n))),
        main: `(local.set $pair ${createChannel()})
          (global.set $server ${lowHalf("(local.get $pair)")})
          (drop (call $watch (global.get $server) (i32.const 1)))
          ;; A handle the process does not hold: the server end's plus 100.
          ${storeArgument(RING, 0, 0, "(i32.add (global.get $server) (i32.const 100))")}
          ${line(text("event"), long(`(call $submitAndWait (i32.const ${RING}) (i32.const 1))`), long(resultAt(RING, 0)))}
          (i32.const 0)`,
      });
      const run = system.spawn(system.load(bytes, eventManifest("forged-handle-wait")), { domain: "user" });
      // The watch keeps it able to wake, so main's return leaves it serving: end it.
      await eventually(() => run.lines().length === 1, "the line");
      expect(run.lines()).to.deep.equal([`event -${ErrorCode.wouldBlock} -${ErrorCode.badHandle}`]);
      system.kernel.kill(run.process, "done");
      await run.status;
    });
  });
});
