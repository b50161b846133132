// Subscribed endpoints (channels.subscribe): a watch whose messages an in-kernel process is handed
// already received, through its `deliver` export, in order and with their attachments; what the
// kernel could not receive comes through `dispatch` as a plain message event, the closed event
// too; in a user domain a subscription is a watch, and the same binary receives in `serve`.
import { expect } from "chai";
import { CapabilityTable, Rights } from "../../kernel/index.js";
import { createChannel, receiveMessage, sendMessage, watchEndpoint } from "../../kernel/channels/index.js";
import { NO_EVENT, ProcessEvents } from "../../kernel/events/index.js";
import { blockOf, createBlock, openExchangeAccount } from "../../kernel/exchange/index.js";
import { EventKind } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat } from "../helpers/wat.js";

/** Takes the next event of `events` with its source, as the scheduler does. */
function takeWithSource(events: ProcessEvents) {
  const kind = events.takeNext();
  return kind === NO_EVENT ? undefined : { kind, tag: events.takenTag, source: events.takenSource! };
}

describe("kernel/channel subscriptions", function () {
  this.timeout(30_000);

  describe("between two processes' tables", () => {
    function pair(serverHandleLimit?: number) {
      const clientTable = new CapabilityTable();
      const serverTable = new CapabilityTable(serverHandleLimit);
      openExchangeAccount(clientTable, 1 << 20);
      openExchangeAccount(serverTable, 1 << 20);
      const [client, serverHere] = createChannel(clientTable, undefined);
      const server = clientTable.transfer(serverHere, serverTable);
      const events = new ProcessEvents(4);
      watchEndpoint(serverTable, server, 9, events, true);
      return { clientTable, serverTable, client, server, events };
    }

    it("receives each message for the process as its event is delivered: in order, the attachment moved into the receiver's table", () => {
      const { clientTable, serverTable, client, server, events } = pair();
      const block = createBlock(clientTable, 8);
      sendMessage(clientTable, client, 4, 0);
      sendMessage(clientTable, client, 5, block);
      const first = takeWithSource(events)!;
      expect([first.kind, first.tag]).to.deep.equal([EventKind.message, 9]);
      expect(first.source.receipt!.receive()).to.equal(true);
      expect([first.source.receipt!.number, first.source.receipt!.attachment]).to.deep.equal([4, 0]);
      const second = takeWithSource(events)!;
      expect(second.source.receipt!.receive()).to.equal(true);
      expect(second.source.receipt!.number).to.equal(5);
      expect(blockOf(serverTable, second.source.receipt!.attachment, Rights.read).bytes.byteLength).to.equal(8);
      expect(receiveMessage(serverTable, server), "nothing left to receive").to.equal(undefined);
      expect(events.queued).to.equal(0);
    });

    it("receives nothing for an event whose message the process received itself first: the event is delivered plain", () => {
      const { clientTable, serverTable, client, server, events } = pair();
      sendMessage(clientTable, client, 4, 0);
      receiveMessage(serverTable, server);
      const event = takeWithSource(events)!;
      expect(event.source.receipt!.receive()).to.equal(false);
    });

    it("leaves a message whose attachment does not fit queued: the event is delivered plain, and the process's own receive says why", () => {
      const { clientTable, serverTable, client, server, events } = pair(1);
      sendMessage(clientTable, client, 6, createBlock(clientTable, 8));
      const event = takeWithSource(events)!;
      expect(event.source.receipt!.receive()).to.equal(false);
      expect(() => receiveMessage(serverTable, server)).to.throw(/capability table full/);
    });

    it("gives the closed event after the last message as a watch does, and a watch asked again keeps its source but takes the new form", () => {
      const { clientTable, serverTable, client, server, events } = pair();
      watchEndpoint(serverTable, server, 3, events);
      expect(events.sources).to.equal(1);
      sendMessage(clientTable, client, 4, 0);
      const watched = takeWithSource(events)!;
      expect(watched.tag).to.equal(3);
      expect(watched.source.receipt, "watched again: no receipt").to.equal(undefined);
      watchEndpoint(serverTable, server, 9, events, true);
      expect(watched.source.receipt!.receive()).to.equal(true);
      clientTable.remove(client);
      expect(takeWithSource(events)).to.include({ kind: EventKind.closed, tag: 9 });
      expect(events.sources).to.equal(0);
    });
  });

  describe("through the ABI", () => {
    const CHANNELS = "singlet:kernel/channels@0.1.0";
    /**
     * One process talking to itself: main subscribes the server end (tag 5) and sends messages 3
     * and 4 from the client end, the second carrying a block. Each message reaches `deliver`
     * (in the kernel domain from the kernel; in a user domain from `dispatch`, which receives,
     * called by `serve`), which records it; after the second the client end is dropped and the
     * closed event's `dispatch` exits with what was seen: 34 × 100, + 10 when the tags were 5 and
     * the block arrived, + 1 when `dispatch` had to receive a message itself.
     */
    function talker(withDeliver = true, handler = ""): string {
      return `(module
  (import "${CHANNELS}" "create" (func $create (param i32 i32) (result i64)))
  (import "${CHANNELS}" "send" (func $send (param i32 i32 i32) (result i32)))
  (import "${CHANNELS}" "receive" (func $receive (param i32) (result i64)))
  (import "${CHANNELS}" "subscribe" (func $subscribe (param i32 i32) (result i32)))
  (import "singlet:kernel/blocks@0.1.0" "create" (func $block (param i32) (result i32)))
  (import "singlet:kernel/capabilities@0.1.0" "drop" (func $drop (param i32) (result i32)))
  (import "singlet:kernel/events@0.1.0" "wait" (func $wait (result i64)))
  (import "singlet:kernel/process@0.1.0" "exit" (func $exit (param i32)))
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (global $client (mut i32) (i32.const 0))
  (global $server (mut i32) (i32.const 0))
  (global $seen (mut i32) (i32.const 0))
  (global $good (mut i32) (i32.const 1))
  (global $plain (mut i32) (i32.const 0))
  (func (export "main") (result i32) (local $pair i64)
    (local.set $pair (call $create (i32.const 0) (i32.const 0)))
    (global.set $client (i32.wrap_i64 (i64.shr_u (local.get $pair) (i64.const 32))))
    (global.set $server (i32.wrap_i64 (local.get $pair)))
    (drop (call $subscribe (global.get $server) (i32.const 5)))
    (drop (call $send (global.get $client) (i32.const 3) (i32.const 0)))
    (drop (call $send (global.get $client) (i32.const 4) (call $block (i32.const 16))))
    (i32.const 7))
  (func $deliver ${withDeliver ? `(export "deliver")` : ""} (param $tag i32) (param $message i32) (param $attachment i32)
    ${handler}
    (if (i32.ne (local.get $tag) (i32.const 5)) (then (global.set $good (i32.const 0))))
    (if (i32.eq (local.get $message) (i32.const 4)) (then
      (if (i32.eqz (local.get $attachment)) (then (global.set $good (i32.const 0))))
      (drop (call $drop (global.get $client)))))
    (global.set $seen (i32.add (i32.mul (global.get $seen) (i32.const 10)) (local.get $message))))
  (func $dispatch (export "dispatch") (param $kind i32) (param $tag i32) (local $message i64)
    (if (i32.eq (local.get $kind) (i32.const 4)) (then
      (drop (call $drop (global.get $server)))
      (call $exit (i32.add (i32.add (i32.mul (global.get $seen) (i32.const 100)) (i32.mul (global.get $good) (i32.const 10))) (global.get $plain)))))
    ;; A plain message event (a user domain, or what the kernel could not receive): receive it here.
    (local.set $message (call $receive (global.get $server)))
    (if (i64.ge_s (local.get $message) (i64.const 0)) (then
      (global.set $plain (i32.const 1))
      (call $deliver (local.get $tag) (i32.wrap_i64 (i64.shr_u (local.get $message) (i64.const 32))) (i32.wrap_i64 (local.get $message))))))
  (func (export "serve") (local $event i64)
    (block $done (loop $next
      (local.set $event (call $wait))
      (br_if $done (i64.lt_s (local.get $event) (i64.const 0)))
      (call $dispatch (i32.wrap_i64 (i64.shr_u (local.get $event) (i64.const 32))) (i32.wrap_i64 (local.get $event)))
      (br $next)))))`;
    }
    const manifest = { name: "talker", entryPoints: { main: {}, dispatch: {}, deliver: {}, serve: {} } };

    for (const domain of ["kernel", "user"] as const) {
      it(`hands each message to deliver in order with its attachment, then the closed event to dispatch, in the ${domain} domain`, async () => {
        const kernel = testKernel();
        const run = await runCaptured(kernel, kernel.load(await assembleWat(talker()), { manifest }), { domain });
        // Only the user domain's dispatch receives: in the kernel domain every message came received.
        expect(run.status).to.deep.equal({ kind: "exited", code: domain === "kernel" ? 3410 : 3411 });
        expect(run.process.capabilities.size).to.equal(0);
        expect(run.process.events.statistics.delivered, "two messages, one closed event").to.equal(3);
        await kernel.shutdown();
      });
    }

    it("ends an in-kernel process that subscribed without a deliver export, naming it, when its first message comes", async () => {
      const kernel = testKernel();
      const run = await runCaptured(kernel, kernel.load(await assembleWat(talker(false)), { manifest: { ...manifest, entryPoints: { main: {}, dispatch: {}, serve: {} } } }), { domain: "kernel" });
      expect(run.status.kind).to.equal("faulted");
      if (run.status.kind === "faulted") expect(run.status.fault).to.deep.include({ kind: "killed" }).and.property("message").to.match(/no 'deliver' function/);
      await kernel.shutdown();
    });

    it("refuses to load an app whose deliver has another type than (i32, i32, i32) -> (), in every domain", async () => {
      const kernel = testKernel();
      const wrong = talker().replace(`(param $tag i32) (param $message i32) (param $attachment i32)`, `(param $tag i32) (param $message i32) (param $attachment i32) (param $extra i32)`)
        .replace(`(call $deliver (local.get $tag)`, `(call $deliver (i32.const 0) (local.get $tag)`);
      const bytes = await assembleWat(wrong);
      expect(() => kernel.load(bytes, { manifest })).to.throw(/entry point 'deliver' has type/);
      await kernel.shutdown();
    });

    it("runs deliver under the dispatch entry's fuel budget: a handler that never returns ends with fuel exhausted", async () => {
      const kernel = testKernel();
      const endless = `(loop $forever (br $forever))`;
      const image = kernel.load(await assembleWat(talker(true, endless)), { manifest: { ...manifest, entryPoints: { ...manifest.entryPoints, dispatch: { fuel: 100_000 } } } });
      const run = await runCaptured(kernel, image, { domain: "kernel" });
      expect(run.status.kind).to.equal("faulted");
      if (run.status.kind === "faulted") expect(run.status.fault.kind).to.equal("fuel-exhausted");
      await kernel.shutdown();
    });
  });
});
