// Channels: endpoints as capabilities, messages checked against the contract on every send,
// bounded queues, attachments that move (blocks, endpoints), peers that close or die; through the
// ABI in both domains and between processes' tables.
import { expect } from "chai";
import { BadHandleError, CapabilityTable, PeerClosedError, ProtocolViolationError, ResourceLimitError, Rights } from "../../kernel/index.js";
import { Contract, NameService, createChannel, endpointOf, receiveMessage, sendMessage, watchEndpoint } from "../../kernel/channels/index.js";
import { ProcessEvents } from "../../kernel/events/index.js";
import { blockOf, createBlock, openExchangeAccount } from "../../kernel/exchange/index.js";
import { MAX_PUBLISHED_NAMES, MAX_QUEUED_MESSAGES } from "../../kernel/params.js";
import { ErrorCode, EventKind, manifestProblems, type ContractDeclaration } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

const PING_PONG: ContractDeclaration = {
  messages: { ping: "client", pong: "server", bye: "client" },
  initial: "ready",
  states: { ready: { ping: "waiting", bye: "done" }, waiting: { pong: "ready" }, done: {} },
};
const [PING, PONG, BYE] = [0, 1, 2];

function unpack(packed: bigint | undefined): { message: number; attachment: number } | undefined {
  return packed === undefined ? undefined : { message: Number(packed >> 32n), attachment: Number(packed & 0xffff_ffffn) };
}

describe("kernel/channels", function () {
  this.timeout(30_000);

  describe("between two processes' tables", () => {
    function pair(contract: ContractDeclaration | null = PING_PONG) {
      const clientTable = new CapabilityTable();
      const serverTable = new CapabilityTable();
      openExchangeAccount(clientTable, 1 << 20);
      openExchangeAccount(serverTable, 1 << 20);
      const [client, serverHere] = createChannel(clientTable, contract ? new Contract("PingPong", contract) : undefined);
      const server = clientTable.transfer(serverHere, serverTable);
      return { clientTable, serverTable, client, server };
    }

    it("carries messages in order and follows the contract's states", () => {
      const { clientTable, serverTable, client, server } = pair();
      expect(sendMessage(clientTable, client, PING, 0)).to.equal(true);
      expect(unpack(receiveMessage(serverTable, server))).to.deep.equal({ message: PING, attachment: 0 });
      expect(receiveMessage(serverTable, server)).to.equal(undefined);
      expect(sendMessage(serverTable, server, PONG, 0)).to.equal(true);
      expect(unpack(receiveMessage(clientTable, client))).to.deep.equal({ message: PONG, attachment: 0 });
      expect(sendMessage(clientTable, client, BYE, 0)).to.equal(true);
    });

    it("refuses what the contract does not allow to the sender alone: the wrong side, the wrong state, an unknown message, anything after the end", () => {
      const { clientTable, serverTable, client, server } = pair();
      expect(() => sendMessage(serverTable, server, PONG, 0), "pong before ping").to.throw(ProtocolViolationError, /may not be sent in state 'ready'/);
      expect(() => sendMessage(clientTable, client, PONG, 0), "the server's message from the client").to.throw(ProtocolViolationError, /server's to send/);
      expect(() => sendMessage(clientTable, client, 7, 0)).to.throw(ProtocolViolationError, /not one of/);
      sendMessage(clientTable, client, BYE, 0);
      expect(() => sendMessage(clientTable, client, PING, 0)).to.throw(ProtocolViolationError, /state 'done'/);
      // The peer saw the one message that was allowed, and nothing of the refused ones.
      expect(unpack(receiveMessage(serverTable, server))).to.deep.equal({ message: BYE, attachment: 0 });
      expect(receiveMessage(serverTable, server)).to.equal(undefined);
    });

    it("moves a block with a message: the sender's handle is stale at once (use after send, double send), the bytes never copied", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      const block = createBlock(clientTable, 16);
      const bytes = blockOf(clientTable, block, Rights.read).bytes;
      sendMessage(clientTable, client, 5, block);
      expect(() => blockOf(clientTable, block, Rights.read)).to.throw(BadHandleError);
      expect(() => sendMessage(clientTable, client, 5, block)).to.throw(BadHandleError);
      const received = unpack(receiveMessage(serverTable, server))!;
      expect(received.message).to.equal(5);
      expect(blockOf(serverTable, received.attachment, Rights.read).bytes).to.equal(bytes);
    });

    it("receives a block sent between two ends in one process without charging it twice: a block over half the quota arrives", () => {
      const table = new CapabilityTable();
      const account = openExchangeAccount(table, 100);
      const [client, server] = createChannel(table, undefined);
      sendMessage(table, client, 1, createBlock(table, 60));
      const received = unpack(receiveMessage(table, server))!;
      expect(blockOf(table, received.attachment, Rights.read).bytes.byteLength).to.equal(60);
      expect([account.bytes, account.blocks]).to.deep.equal([60, 1]);
      table.remove(received.attachment);
      expect([account.bytes, account.blocks]).to.deep.equal([0, 0]);
    });

    it("delegates an endpoint over another channel: the receiver then talks to the first channel's peer", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      const third = new CapabilityTable();
      const [near, far] = createChannel(clientTable, undefined);
      const farForThird = clientTable.transfer(far, third);
      sendMessage(clientTable, near, 1, client);
      const delegated = unpack(receiveMessage(third, farForThird))!.attachment;
      sendMessage(third, delegated, 9, 0);
      expect(unpack(receiveMessage(serverTable, server))).to.deep.equal({ message: 9, attachment: 0 });
      expect(() => endpointOf(clientTable, client, Rights.read)).to.throw(BadHandleError);
    });

    it("bounds each endpoint's queue: past it a send is refused (wouldBlock) and nothing is taken", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      for (let index = 0; index < MAX_QUEUED_MESSAGES; index++) expect(sendMessage(clientTable, client, index, 0)).to.equal(true);
      const block = createBlock(clientTable, 8);
      expect(sendMessage(clientTable, client, 99, block)).to.equal(false);
      expect(blockOf(clientTable, block, Rights.read).bytes.byteLength, "the attachment stays with the sender").to.equal(8);
      receiveMessage(serverTable, server);
      expect(sendMessage(clientTable, client, 99, 0)).to.equal(true);
    });

    it("tells a peer of the other end's close, after it has received what was sent; sends to it fail with peerClosed", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      sendMessage(clientTable, client, 1, 0);
      clientTable.remove(client);
      expect(unpack(receiveMessage(serverTable, server))).to.deep.equal({ message: 1, attachment: 0 });
      expect(() => receiveMessage(serverTable, server)).to.throw(PeerClosedError);
      expect(() => sendMessage(serverTable, server, 1, 0)).to.throw(PeerClosedError);
    });

    it("drops what was queued for an endpoint that closes, attachments included (a block's charge comes back)", () => {
      const { clientTable, serverTable, client } = pair(null);
      const account = openExchangeAccount(clientTable, 1 << 20);
      const block = createBlock(clientTable, 100);
      sendMessage(clientTable, client, 1, block);
      expect(account.bytes, "in flight, still the sender's").to.equal(100);
      serverTable.clear();
      expect(account.bytes).to.equal(0);
      expect(() => sendMessage(clientTable, client, 1, 0)).to.throw(PeerClosedError);
    });

    it("ends what a process still has in flight when it ends: endpoints sent inside each other's queues close", () => {
      const table = new CapabilityTable();
      const [x, xPeer] = createChannel(table, undefined);
      const [y, yPeer] = createChannel(table, undefined);
      const ends = [x, xPeer, y, yPeer].map((handle) => endpointOf(table, handle, Rights.read));
      // X's peer travels inside Y's queue and Y's peer inside X's: once the process drops X and Y,
      // no table holds any of them, and only the sender's end can end them.
      sendMessage(table, y, 1, xPeer);
      sendMessage(table, x, 1, yPeer);
      table.remove(x);
      table.remove(y);
      expect(table.sending).to.equal(2);
      expect(ends.map((end) => end.closed)).to.deep.equal([true, false, true, false]);
      table.clear();
      expect(table.sending).to.equal(0);
      expect(ends.map((end) => end.closed)).to.deep.equal([true, true, true, true]);
    });

    it("counts what a process has in flight against its handles", () => {
      const table = new CapabilityTable(8);
      const [sender] = createChannel(table, undefined);
      let sent = 0;
      try {
        for (;;) {
          const [spare] = createChannel(table, undefined);
          sendMessage(table, sender, 1, spare);
          sent++;
        }
      } catch (error) {
        expect((error as Error).message).to.match(/in flight|capability table full/);
      }
      expect(table.size + table.sending).to.be.at.most(8);
      expect(sent).to.be.greaterThan(0);
    });

    it("ends a watch when its endpoint is sent away: the sender stops counting it as a source and hears nothing more of it", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      const events = new ProcessEvents(4);
      const [carrier, carrierPeer] = createChannel(serverTable, undefined);
      watchEndpoint(serverTable, server, 7, events);
      expect(events.sources).to.equal(1);
      sendMessage(serverTable, carrier, 1, server);
      expect(events.sources).to.equal(0);
      sendMessage(clientTable, client, 2, 0);
      expect(events.queued).to.equal(0);
      // Whoever receives it may watch it anew.
      const received = unpack(receiveMessage(serverTable, carrierPeer))!.attachment;
      expect(unpack(receiveMessage(serverTable, received))).to.deep.equal({ message: 2, attachment: 0 });
    });

    it("bounds the names published at once: past MAX_PUBLISHED_NAMES a publish is refused with noMemory", () => {
      const names = new NameService();
      const tables: CapabilityTable[] = [];
      for (let index = 0; index < MAX_PUBLISHED_NAMES; index++) {
        if (index % 1000 === 0) tables.push(new CapabilityTable());
        names.publish(tables.at(-1)!, `name-${index}`, undefined);
      }
      expect(() => names.publish(new CapabilityTable(), "one-more", undefined)).to.throw(ResourceLimitError, /limit 8192/);
      // A publisher that ends frees its names.
      tables[0]!.clear();
      expect(names.publish(new CapabilityTable(), "one-more", undefined)).to.be.greaterThan(0);
    });

    it("keeps order in a queue that never empties, however long the conversation (what is left moves to the front now and then)", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      const received: number[] = [];
      for (let message = 0; message < 10; message++) sendMessage(clientTable, client, message, 0);
      for (let message = 10; message < 1000; message++) {
        sendMessage(clientTable, client, message, 0);
        received.push(unpack(receiveMessage(serverTable, server))!.message);
      }
      while (received.length < 1000) received.push(unpack(receiveMessage(serverTable, server))!.message);
      expect(received).to.deep.equal(Array.from({ length: 1000 }, (_, index) => index));
      expect(receiveMessage(serverTable, server)).to.equal(undefined);
    });

    it("watches an endpoint: one message event while messages wait, then a last closed event, the source counted and released", () => {
      const { clientTable, serverTable, client, server } = pair(null);
      const events = new ProcessEvents(4);
      watchEndpoint(serverTable, server, 7, events);
      expect(events.sources).to.equal(1);
      sendMessage(clientTable, client, 1, 0);
      sendMessage(clientTable, client, 2, 0);
      expect(events.queued, "one event for both messages").to.equal(1);
      expect(events.take()).to.include({ kind: EventKind.message, tag: 7 });
      receiveMessage(serverTable, server);
      expect(events.queued, "more waiting: announced again").to.equal(1);
      expect(events.take()).to.include({ kind: EventKind.message, tag: 7 });
      receiveMessage(serverTable, server);
      clientTable.remove(client);
      expect(events.take()).to.include({ kind: EventKind.closed, tag: 7 });
      expect(events.sources).to.equal(0);
      expect(events.canWake).to.equal(false);
    });
  });

  describe("through the ABI", () => {
    const CHANNELS = "singlet:kernel/channels@0.1.0";
    const imports = `
      (import "${CHANNELS}" "create" (func $create (param i32 i32) (result i64)))
      (import "${CHANNELS}" "send" (func $send (param i32 i32 i32) (result i32)))
      (import "${CHANNELS}" "receive" (func $receive (param i32) (result i64)))
      (import "${CHANNELS}" "poll" (func $poll (param i32) (result i64)))
      (import "singlet:kernel/capabilities@0.1.0" "drop" (func $drop (param i32) (result i32)))`;
    // "PingPong" in UTF-16 at 200.
    const name = `(data (i32.const 200) "${[..."PingPong"].map((letter) => `${letter}\\00`).join("")}")`;
    const manifest = { name: "talker", capabilities: ["console"], entryPoints: { main: { mode: "callers" as const } }, contracts: { PingPong: PING_PONG } };

    for (const domain of ["kernel", "user"] as const) {
      it(`talks to itself over a contract channel in the ${domain} domain, and every refusal has its code`, async () => {
        const kernel = testKernel();
        const check = (bit: number, call: string, expected: string) => `(local.set $ok (i32.or (local.get $ok) (i32.mul (i32.const ${1 << bit}) (${expected.startsWith("i64") ? "i64.eq" : "i32.eq"} ${call} (${expected})))))`;
        const body = `
          (local $pair i64) (local $client i32) (local $server i32) (local $ok i32)
          (local.set $pair (call $create (i32.const 200) (i32.const 8)))
          (local.set $client (i32.wrap_i64 (i64.shr_u (local.get $pair) (i64.const 32))))
          (local.set $server (i32.wrap_i64 (local.get $pair)))
          ${check(0, "(call $send (local.get $server) (i32.const 1) (i32.const 0))", `i32.const -${ErrorCode.protocolViolation}`)}
          ${check(1, "(call $send (local.get $client) (i32.const 0) (i32.const 0))", "i32.const 0")}
          ${check(2, "(call $poll (local.get $server))", "i64.const 0")}
          ${check(3, "(call $poll (local.get $server))", `i64.const -${ErrorCode.wouldBlock}`)}
          ${check(4, "(call $send (local.get $server) (i32.const 1) (i32.const 0))", "i32.const 0")}
          ${check(5, "(call $poll (local.get $client))", "i64.const 0x100000000")}
          ${check(6, "(i32.wrap_i64 (call $create (i32.const 200) (i32.const 4)))", `i32.const -${ErrorCode.notFound}`)}
          (drop (call $drop (local.get $client)))
          ${check(7, "(call $poll (local.get $server))", `i64.const -${ErrorCode.peerClosed}`)}
          ${check(8, "(call $send (local.get $server) (i32.const 1) (i32.const 0))", `i32.const -${ErrorCode.peerClosed}`)}
          (local.get $ok)`;
        const image = kernel.load(await assembleWat(conformantModule(imports, body, name)), { manifest });
        const run = await runCaptured(kernel, image, { domain });
        expect(run.status).to.deep.equal({ kind: "exited", code: 0b111111111 });
        expect(run.process.capabilities.size).to.equal(0);
        await kernel.shutdown();
      });
    }

    it("refuses a manifest whose contract is not a state machine over its own messages", () => {
      expect(manifestProblems({ name: "m", contracts: { Bad: { messages: { a: "client" }, initial: "s", states: { s: { b: "s" } } } } })[0]!.message).to.match(/names message 'b'/);
      expect(manifestProblems({ name: "m", contracts: { Bad: { messages: { a: "both" }, initial: "s", states: { s: {} } } } })[0]!.message).to.match(/expected client or server/);
      expect(manifestProblems({ name: "m", contracts: { Bad: { messages: { a: "client" }, initial: "t", states: { s: {} } } } })[0]!.message).to.match(/initial/);
      expect(manifestProblems({ name: "m", contracts: { Good: PING_PONG } })).to.deep.equal([]);
    });
  });
});
