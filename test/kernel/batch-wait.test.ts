// Conformance of batch.submit-and-wait: a batch and the next event in one kernel entry. The same
// WAT app in every setting (both domains, on the sim HAL and on the Node HAL, whose user domains
// really park): the entries run once and answer as batch.submit's do, the wait part answers as
// events.wait does there, a parked wait is served again as only its wait, and a failed entry
// keeps the call from waiting.
import { expect } from "chai";
import { ErrorCode, EventKind, Syscall } from "../../runtime/abi/index.js";
import { entry, linked, resultAt, ring, ringSegment, statusAt, storeArgument } from "../helpers/batch-ring.js";
import { NODE_KERNEL, NODE_USER, SIM_KERNEL, SIM_USER, withEventKernel, type EventSetting } from "../helpers/event-kernel.js";
import { REPORT_EVENT, createChannel, eventApp, eventManifest, highHalf, int, line, long, lowHalf, startTimer, text } from "../helpers/event-apps.js";

/** Where the apps keep their rings: past the texts, the line and the little heap they use. */
const RING = 40960;
const SECOND_RING = 45056;
const EVERY_SETTING: readonly EventSetting[] = [SIM_KERNEL, SIM_USER, NODE_KERNEL, NODE_USER];
const MESSAGE = 7;
const packed = (kind: number, tag: number) => String((BigInt(kind) << 32n) | BigInt(tag));

/** Main's part that makes a channel and points the ring's one entry, a send of MESSAGE, at its client end. */
const SEND_ON_A_NEW_CHANNEL = `(local.set $pair ${createChannel()})
    (global.set $client ${highHalf("(local.get $pair)")})
    (global.set $server ${lowHalf("(local.get $pair)")})
    ${storeArgument(RING, 0, 0, "(global.get $client)")}`;
const SEND_RING = ringSegment(RING, ring(entry(Syscall.channelsSend, 0n, BigInt(MESSAGE), 0n)));

/** Prints what the call answered and what the send did, then how many messages the server end holds: the send ran once. */
const REPORT_SEND = `${line(text("event"), long("(local.get $event)"), text("send"), int(statusAt(RING, 0)), long(resultAt(RING, 0)))}
    ${line(text("queued"), long("(call $channelPoll (global.get $server))"), long("(call $channelPoll (global.get $server))"))}`;

describe("kernel batched calls: submit-and-wait", function () {
  this.timeout(60_000);

  for (const setting of EVERY_SETTING) {
    it(`runs its entries once, then answers the event already queued (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const bytes = await eventApp({
          globals: ["client", "server"], longLocals: ["pair", "event"],
          fields: SEND_RING,
          main: `${SEND_ON_A_NEW_CHANNEL}
            (drop (call $yield (i32.const 5)))
            (local.set $event (call $submitAndWait (i32.const ${RING}) (i32.const 1)))
            ${REPORT_SEND}
            (i32.const 0)`,
        });
        const run = system.spawn(system.load(bytes, eventManifest("queued-event")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.lines()).to.deep.equal([`event ${packed(EventKind.yielded, 5)} send 0 0`, `queued ${packed(MESSAGE, 0)} -${ErrorCode.wouldBlock}`]);
      });
    });

    it(`writes each entry's error back as batch.submit does and still answers the wait (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const entries = ring(entry(4242), entry(Syscall.consoleWrite), entry(Syscall.batchSubmitAndWait), entry(Syscall.capabilitiesDrop, 999n));
        const bytes = await eventApp({
          longLocals: ["event"],
          fields: ringSegment(RING, entries),
          main: `(drop (call $yield (i32.const 1)))
            (local.set $event (call $submitAndWait (i32.const ${RING}) (i32.const 4)))
            ${line(text("event"), long("(local.get $event)"), ...[0, 1, 2, 3].map((index) => int(statusAt(RING, index))), long(resultAt(RING, 3)))}
            (i32.const 0)`,
        });
        const run = system.spawn(system.load(bytes, eventManifest("entry-errors")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.lines()).to.deep.equal([
          `event ${packed(EventKind.yielded, 1)} -${ErrorCode.notImplemented} -${ErrorCode.invalidArgument} -${ErrorCode.invalidArgument} 0 -${ErrorCode.badHandle}`,
        ]);
      });
    });
  }

  for (const setting of [NODE_USER, NODE_KERNEL]) {
    const waits = setting.domain === "user";
    it(`${waits ? "waits for an event that comes later and does not run its entries again when served" : "answers wouldBlock at once; the event comes through dispatch"} (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const bytes = await eventApp({
          globals: ["client", "server"], longLocals: ["pair", "event"],
          fields: SEND_RING,
          main: `${SEND_ON_A_NEW_CHANNEL}
            (drop ${startTimer(30, 0, 9)})
            (local.set $event (call $submitAndWait (i32.const ${RING}) (i32.const 1)))
            ${REPORT_SEND}
            (i32.const 0)`,
          dispatch: REPORT_EVENT,
        });
        const run = system.spawn(system.load(bytes, eventManifest("parked-wait")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
        const sent = `queued ${packed(MESSAGE, 0)} -${ErrorCode.wouldBlock}`;
        if (waits) {
          // The timer's event was 30 ms away when the call began: it waited, and the one send is all there is.
          expect(run.lines()).to.deep.equal([`event ${packed(EventKind.timer, 9)} send 0 0`, sent]);
          expect(run.process.userDomain!.stats().trapsByCall["batch.submit-and-wait"]).to.equal(1);
        } else {
          expect(run.lines()).to.deep.equal([`event -${ErrorCode.wouldBlock} send 0 0`, sent, "timer 9"]);
        }
      });
    });
  }

  for (const setting of EVERY_SETTING) {
    it(`does not wait when an entry failed or a link was canceled: the app sees to it first (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        // A timer far off keeps the process able to wake: a call that waited would wait for it.
        const bytes = await eventApp({
          globals: ["timer"], longLocals: ["event"],
          fields: `${ringSegment(RING, ring(entry(Syscall.capabilitiesDrop, 999n)))}
            ${ringSegment(SECOND_RING, ring(entry(Syscall.processArgCount), entry(linked(Syscall.processId))))}`,
          main: `(global.set $timer ${startTimer(10_000, 0, 3)})
            (local.set $event (call $submitAndWait (i32.const ${RING}) (i32.const 1)))
            ${line(text("failed"), long("(local.get $event)"), long(resultAt(RING, 0)))}
            (local.set $event (call $submitAndWait (i32.const ${SECOND_RING}) (i32.const 2)))
            ${line(text("canceled"), long("(local.get $event)"), int(statusAt(SECOND_RING, 0)), int(statusAt(SECOND_RING, 1)))}
            (drop (call $timerCancel (global.get $timer)))
            (i32.const 0)`,
        });
        const run = system.spawn(system.load(bytes, eventManifest("no-wait-after-failure")), { domain: setting.domain });
        expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.lines()).to.deep.equal([
          `failed -${ErrorCode.wouldBlock} -${ErrorCode.badHandle}`,
          `canceled -${ErrorCode.wouldBlock} 0 -${ErrorCode.canceled}`,
        ]);
      });
    });
  }

  it("answers noEventSources after running its entries when nothing could ever wake the process, in a user domain", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const bytes = await eventApp({
        globals: ["client", "server"], longLocals: ["pair", "event"],
        fields: SEND_RING,
        main: `${SEND_ON_A_NEW_CHANNEL}
          (local.set $event (call $submitAndWait (i32.const ${RING}) (i32.const 1)))
          ${REPORT_SEND}
          (i32.const 0)`,
      });
      const run = system.spawn(system.load(bytes, eventManifest("no-sources")), { domain: "user" });
      expect(await run.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(run.lines()).to.deep.equal([`event -${ErrorCode.noEventSources} send 0 0`, `queued ${packed(MESSAGE, 0)} -${ErrorCode.wouldBlock}`]);
    });
  });
});
