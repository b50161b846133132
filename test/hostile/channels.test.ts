// Hostile channel use: forged, stale and revoked endpoint handles, rights escalation through
// restrict, contract violations, use after send and double send of a block, peer death while a
// user-domain receive is parked, full queues, and receivers without room for an attachment. Each
// is refused with its documented code, the peer's conversation goes on, nothing is leaked once
// the processes end, and a bystander ticker prints exactly what it prints alone.
import { expect } from "chai";
import { openEndpoints } from "../../kernel/channels/index.js";
import { Rights, principalHolding } from "../../kernel/index.js";
import { MAX_QUEUED_MESSAGES } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { BYE, CLOSED_EVENT, PING, PONG, acceptOnlyConnection, clientApp, eachQueuedMessage, pingPongManifest, serverApp } from "../helpers/channel-apps.js";
import { expectNothingLeaked, until, untilEnded, untilPrinted } from "../helpers/channel-kernel.js";
import { connectName, createChannel, eventApp, eventManifest, highHalf, int, line, long, lowHalf, publishName, text, textAt } from "../helpers/event-apps.js";
import { NODE_KERNEL, NODE_USER, SIM_KERNEL, SIM_USER, expectKilled, withEventKernel, type EventKernel, type EventProcess } from "../helpers/event-kernel.js";
import { appBytes, tickerOutput } from "../helpers/kernel.js";

const EXITED = { kind: "exited", code: 0 };
const [TICKS, TICK_MILLISECONDS] = [3, 5];

/**
 * Runs `body` beside apps/ticker, then lets the ticker finish and checks it printed exactly what
 * it prints alone; then that nothing of the body's processes (nor the ticker's) is left.
 */
async function besideTicker(system: EventKernel, body: () => Promise<EventProcess[]>): Promise<void> {
  const endpointsBefore = openEndpoints();
  const ticker = system.spawn(system.kernel.load(appBytes("ticker"), { name: "ticker" }), { args: [String(TICKS), String(TICK_MILLISECONDS)], domain: "kernel" });
  const processes = await body();
  const status = system.sim ? await system.advanceUntil(ticker.status, TICK_MILLISECONDS) : await ticker.status;
  expect(status).to.deep.equal(EXITED);
  expect(ticker.output.stdout).to.equal(tickerOutput(TICKS, TICK_MILLISECONDS));
  await expectNothingLeaked(system, [...processes, ticker], endpointsBefore);
}

async function startServer(system: EventKernel, name: string, domain: "kernel" | "user", replies = true): Promise<EventProcess> {
  const server = system.spawn(system.load(await serverApp({ name, clients: 1, replies }), pingPongManifest("server", { provides: [name] })), { domain });
  await untilPrinted(system, server, "server: serving");
  return server;
}

/** A line naming `what` and the i32 a call answered. */
function report(what: string, expression: string): string {
  return line(text(what), int(expression));
}

describe("hostile/channels", function () {
  this.timeout(60_000);

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`refuses forged, stale, revoked and wrong-kind endpoint handles, and rights escalation through restrict, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      const [read, write, grant] = [Rights.read, Rights.write, Rights.grant];
      const app = await eventApp({
        locals: ["client", "server", "stale", "copy", "copyOfCopy", "delegated", "readOnly", "noGrant", "console"],
        longLocals: ["pair"],
        main: `
          (local.set $pair ${createChannel()})
          (local.set $client ${highHalf("(local.get $pair)")})
          (local.set $server ${lowHalf("(local.get $pair)")})
          ${report("forged send", "(call $send (i32.const 0x7fff1234) (i32.const 0) (i32.const 0))")}
          ${line(text("forged receive"), long("(call $channelPoll (i32.const 0x7fff1234))"))}
          ${report("forged watch", "(call $watch (i32.const 0x7fff1234) (i32.const 0))")}
          (local.set $console (call $initialGet (i32.const 0)))
          ${report("console as an endpoint", "(call $send (local.get $console) (i32.const 0) (i32.const 0))")}
          (local.set $pair ${createChannel()})
          (local.set $stale ${highHalf("(local.get $pair)")})
          (drop (call $capabilityDrop (local.get $stale)))
          (drop (call $capabilityDrop ${lowHalf("(local.get $pair)")}))
          ${report("stale send", "(call $send (local.get $stale) (i32.const 0) (i32.const 0))")}
          ${line(text("stale receive"), long("(call $channelPoll (local.get $stale))"))}
          ;; A copy, its copy, and a copy delegated over the channel to this same process: all derived from $client.
          (local.set $copy (call $restrict (local.get $client) (i32.const ${read | write | grant})))
          (local.set $copyOfCopy (call $restrict (local.get $copy) (i32.const ${read | write})))
          (drop (call $send (local.get $server) (i32.const 7) (call $restrict (local.get $client) (i32.const ${read | write | grant}))))
          (local.set $delegated ${lowHalf("(call $channelPoll (local.get $client))")})
          ${report("delegated copy's kind", "(call $capabilityKind (local.get $delegated))")}
          ${report("revoked", "(call $revoke (local.get $client))")}
          ${report("revoked copy send", "(call $send (local.get $copy) (i32.const 0) (i32.const 0))")}
          ${report("revoked copy of copy send", "(call $send (local.get $copyOfCopy) (i32.const 0) (i32.const 0))")}
          ${line(text("revoked delegated receive"), long("(call $channelPoll (local.get $delegated))"))}
          ${report("revoked copy restrict", `(call $restrict (local.get $copy) (i32.const ${read}))`)}
          (local.set $readOnly (call $restrict (local.get $client) (i32.const ${read})))
          ${report("escalate read to read+write", `(call $restrict (local.get $readOnly) (i32.const ${read | write}))`)}
          ${report("send on read-only", "(call $send (local.get $readOnly) (i32.const 0) (i32.const 0))")}
          (local.set $noGrant (call $restrict (local.get $server) (i32.const ${read | write})))
          ${report("send an end without grant", "(call $send (local.get $client) (i32.const 0) (local.get $noGrant))")}
          ${report("send an end over itself", "(call $send (local.get $client) (i32.const 0) (local.get $client))")}
          ;; The original end still works.
          ${report("send", "(call $send (local.get $client) (i32.const 5) (i32.const 0))")}
          ${report("receive", highHalf("(call $channelPoll (local.get $server))"))}
          (i32.const 0)`,
      });
      const process = system.spawn(system.load(app, eventManifest("forger", { capabilities: ["console"] })), { domain: setting.domain });
      expect(await untilEnded(system, [process])).to.deep.equal([EXITED]);
      const [badHandle, notPermitted, invalidArgument] = [-ErrorCode.badHandle, -ErrorCode.notPermitted, -ErrorCode.invalidArgument];
      expect(process.lines()).to.deep.equal([
        `forged send ${badHandle}`, `forged receive ${badHandle}`, `forged watch ${badHandle}`,
        `console as an endpoint ${badHandle}`,
        `stale send ${badHandle}`, `stale receive ${badHandle}`,
        "delegated copy's kind 5", "revoked 3",
        `revoked copy send ${badHandle}`, `revoked copy of copy send ${badHandle}`, `revoked delegated receive ${badHandle}`, `revoked copy restrict ${badHandle}`,
        `escalate read to read+write ${notPermitted}`, `send on read-only ${notPermitted}`, `send an end without grant ${notPermitted}`,
        `send an end over itself ${invalidArgument}`,
        "send 0", "receive 5",
      ]);
      return [process];
    })));
  }

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`refuses contract violations, a block's use after send and its double send to the violator alone; the server's conversation goes on, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      const server = await startServer(system, "echo", setting.domain);
      const hello = textAt("hello");
      // A second ping is out of turn only while the first is unanswered. The sim HAL runs the
      // server only after this main returns; on the Node HAL the server may already have answered.
      const stateIsKnown = setting.hal === "sim";
      const whileWaiting = stateIsKnown ? report("ping while waiting", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`) : "";
      const violator = await eventApp({
        globals: ["server", "block", "step"],
        main: `
          (global.set $server ${connectName("echo")})
          (drop (call $watch (global.get $server) (i32.const 1)))
          (global.set $block (call $blockCreate (i32.const 16)))
          (drop (call $blockWrite (global.get $block) (i32.const 0) (i32.const ${hello.address}) (i32.const ${hello.units * 2})))
          ${report("ping with a block", `(call $send (global.get $server) (i32.const ${PING}) (global.get $block))`)}
          ${report("write after send", `(call $blockWrite (global.get $block) (i32.const 0) (i32.const ${hello.address}) (i32.const 2))`)}
          ${report("size after send", "(call $blockSize (global.get $block))")}
          ${whileWaiting}
          ${report("the server's pong", `(call $send (global.get $server) (i32.const ${PONG}) (i32.const 0))`)}
          ${report("message 9", "(call $send (global.get $server) (i32.const 9) (i32.const 0))")}
          (i32.const 0)`,
        dispatch: `
          (if (i32.eq (local.get $kind) (i32.const ${CLOSED_EVENT})) (then (unreachable)))
          ${report("got", highHalf("(call $channelPoll (global.get $server))"))}
          (if (i32.eqz (global.get $step)) (then
            ${report("ping with the sent block again", `(call $send (global.get $server) (i32.const ${PING}) (global.get $block))`)}
            ${report("ping", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`)})
          (else
            ${report("bye", `(call $send (global.get $server) (i32.const ${BYE}) (i32.const 0))`)}
            ${report("ping after bye", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`)}
            (drop (call $capabilityDrop (global.get $server)))
            ${report("ping after dropping the end", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`)}))
          (global.set $step (i32.add (global.get $step) (i32.const 1)))`,
      });
      const client = system.spawn(system.load(violator, pingPongManifest("violator", { uses: ["echo"] })), { domain: setting.domain });
      expect(await untilEnded(system, [client, server])).to.deep.equal([EXITED, EXITED]);
      const [badHandle, violation] = [-ErrorCode.badHandle, -ErrorCode.protocolViolation];
      expect(client.lines()).to.deep.equal([
        "ping with a block 0", `write after send ${badHandle}`, `size after send ${badHandle}`,
        ...(stateIsKnown ? [`ping while waiting ${violation}`] : []), `the server's pong ${violation}`, `message 9 ${violation}`,
        "got 1", `ping with the sent block again ${badHandle}`, "ping 0",
        "got 1", "bye 0", `ping after bye ${violation}`, `ping after dropping the end ${badHandle}`,
      ]);
      expect(server.lines()).to.deep.equal(["server: serving", "server: connected", "server: got 0 with a block of 16", "server: got 0", "server: got 2", "server: closed"]);
      return [server, client];
    })));
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`refuses a server's message out of turn and a send to an end whose peer closed, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      const app = await eventApp({
        locals: ["client", "server"],
        longLocals: ["pair"],
        main: `
          (local.set $pair ${createChannel("PingPong")})
          (local.set $client ${highHalf("(local.get $pair)")})
          (local.set $server ${lowHalf("(local.get $pair)")})
          ${report("pong before ping", `(call $send (local.get $server) (i32.const ${PONG}) (i32.const 0))`)}
          ${report("the client's bye from the server", `(call $send (local.get $server) (i32.const ${BYE}) (i32.const 0))`)}
          ${report("ping", `(call $send (local.get $client) (i32.const ${PING}) (i32.const 0))`)}
          (drop (call $capabilityDrop (local.get $client)))
          ${line(text("receive what came before the close"), long("(call $channelPoll (local.get $server))"))}
          ${report("pong to a closed end", `(call $send (local.get $server) (i32.const ${PONG}) (i32.const 0))`)}
          ${line(text("receive after the close"), long("(call $channelPoll (local.get $server))"))}
          (i32.const 0)`,
      });
      const process = system.spawn(system.load(app, pingPongManifest("talker")), { domain: setting.domain });
      expect(await untilEnded(system, [process])).to.deep.equal([EXITED]);
      const violation = -ErrorCode.protocolViolation;
      expect(process.lines()).to.deep.equal([
        `pong before ping ${violation}`, `the client's bye from the server ${violation}`, "ping 0",
        "receive what came before the close 0", `pong to a closed end -${ErrorCode.peerClosed}`, `receive after the close -${ErrorCode.peerClosed}`,
      ]);
      return [process];
    })));
  }

  it("wakes a user-domain receive parked on a channel whose server is killed: it answers peerClosed (Node HAL, a worker thread)", () => withEventKernel(NODE_USER, (system) => besideTicker(system, async () => {
    const server = await startServer(system, "echo", "kernel", false);
    const app = await eventApp({
      globals: ["server"],
      main: `
        (global.set $server ${connectName("echo")})
        ${report("ping", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`)}
        ${line(text("receive"), long("(call $receive (global.get $server))"))}
        (i32.const 0)`,
    });
    const client = system.spawn(system.load(app, pingPongManifest("waiter", { uses: ["echo"] })), { domain: "user" });
    await untilPrinted(system, server, "server: got 0");
    // Parked: the receive crossed into the kernel and has not come back (one ring switch of its two).
    await until(system, () => client.process.userDomain?.stats().ringSwitchesByCall["channels.receive"] === 1, "the receive to park");
    expect(client.lines()).to.deep.equal(["ping 0"]);
    system.kernel.kill(server.process, "the test ends the server");
    expectKilled(await server.status, "the test ends the server");
    expect(await untilEnded(system, [client])).to.deep.equal([EXITED]);
    expect(client.lines()).to.deep.equal(["ping 0", `receive -${ErrorCode.peerClosed}`]);
    return [server, client];
  })));

  it(`answers wouldBlock to the ${MAX_QUEUED_MESSAGES + 1}th send to a full queue in the kernel domain; one receive makes room`, () => withEventKernel(SIM_KERNEL, (system) => besideTicker(system, async () => {
    const app = await eventApp({
      locals: ["client", "server", "sent"],
      longLocals: ["pair"],
      main: `
        (local.set $pair ${createChannel()})
        (local.set $client ${highHalf("(local.get $pair)")})
        (local.set $server ${lowHalf("(local.get $pair)")})
        (block $full (loop $send
          (br_if $full (i32.ne (call $send (local.get $client) (local.get $sent) (i32.const 0)) (i32.const 0)))
          (local.set $sent (i32.add (local.get $sent) (i32.const 1)))
          (br $send)))
        ${report("sent", "(local.get $sent)")}
        ${report("next send", "(call $send (local.get $client) (i32.const 99) (i32.const 0))")}
        ${report("receive", highHalf("(call $channelPoll (local.get $server))"))}
        ${report("send after a receive", "(call $send (local.get $client) (i32.const 99) (i32.const 0))")}
        ${report("send to a full queue again", "(call $send (local.get $client) (i32.const 100) (i32.const 0))")}
        (i32.const 0)`,
    });
    const process = system.spawn(system.load(app, eventManifest("flooder", { capabilities: ["console"] })), { domain: "kernel" });
    expect(await untilEnded(system, [process])).to.deep.equal([EXITED]);
    const wouldBlock = -ErrorCode.wouldBlock;
    expect(process.lines()).to.deep.equal([`sent ${MAX_QUEUED_MESSAGES}`, `next send ${wouldBlock}`, "receive 0", "send after a receive 0", `send to a full queue again ${wouldBlock}`]);
    return [process];
  })));

  it(`parks a user domain's ${MAX_QUEUED_MESSAGES + 1}th send to a full queue until the receiver takes one, then completes it (Node HAL, a worker thread)`, () => withEventKernel(NODE_USER, (system) => besideTicker(system, async () => {
    // The sink takes the sender's connection but receives nothing until a connection to 'go' arrives.
    const sink = system.spawn(system.load(await eventApp({
      globals: ["listener", "go", "end", "received"],
      locals: ["result"],
      longLocals: ["packed"],
      main: `
        (global.set $listener ${publishName("sink")})
        (global.set $go ${publishName("go")})
        (drop (call $watch (global.get $listener) (i32.const 1)))
        (drop (call $watch (global.get $go) (i32.const 2)))
        ${line(text("sink: serving"))}
        (i32.const 0)`,
      dispatch: `
        (if (i32.eq (local.get $tag) (i32.const 1)) (then ${acceptOnlyConnection()} (return)))
        (if (i32.eq (local.get $tag) (i32.const 2)) (then
          (drop (call $capabilityDrop ${lowHalf("(call $channelPoll (global.get $go))")}))
          (drop (call $capabilityDrop (global.get $go)))
          (drop (call $watch (global.get $end) (i32.const 3)))
          (return)))
        (if (i32.eq (local.get $kind) (i32.const ${CLOSED_EVENT})) (then
          ${report("sink: received", "(global.get $received)")}
          (drop (call $capabilityDrop (global.get $end)))
          (return)))
        ${eachQueuedMessage("(global.get $end)", "(global.set $received (i32.add (global.get $received) (i32.const 1)))")}`,
    }), eventManifest("sink", { capabilities: ["console"], provides: ["sink", "go"] })), { domain: "kernel" });
    await untilPrinted(system, sink, "sink: serving");
    const sender = system.spawn(system.load(await eventApp({
      locals: ["end", "sent"],
      main: `
        (local.set $end ${connectName("sink")})
        (block $full (loop $send
          (br_if $full (i32.ge_u (local.get $sent) (i32.const ${MAX_QUEUED_MESSAGES})))
          (br_if $full (i32.ne (call $send (local.get $end) (local.get $sent) (i32.const 0)) (i32.const 0)))
          (local.set $sent (i32.add (local.get $sent) (i32.const 1)))
          (br $send)))
        ${report("sender: sent", "(local.get $sent)")}
        ${report("sender: the next send", `(call $send (local.get $end) (i32.const ${MAX_QUEUED_MESSAGES}) (i32.const 0))`)}
        (i32.const 0)`,
    }), eventManifest("sender", { capabilities: ["console"], uses: ["sink"] })), { domain: "user" });
    // Parked: the last send crossed into the kernel and has not come back.
    await until(system, () => sender.process.userDomain?.stats().ringSwitchesByCall["channels.send"] === MAX_QUEUED_MESSAGES * 2 + 1, "the last send to park");
    expect(sender.lines()).to.deep.equal([`sender: sent ${MAX_QUEUED_MESSAGES}`]);
    const go = system.spawn(system.load(await eventApp({ main: `(drop ${connectName("go")}) (i32.const 0)` }), eventManifest("go", { capabilities: ["console"], uses: ["go"] })), { domain: "kernel" });
    expect(await untilEnded(system, [sender, sink, go])).to.deep.equal([EXITED, EXITED, EXITED]);
    expect(sender.lines()).to.deep.equal([`sender: sent ${MAX_QUEUED_MESSAGES}`, "sender: the next send 0"]);
    expect(sink.lines()).to.deep.equal(["sink: serving", `sink: received ${MAX_QUEUED_MESSAGES + 1}`]);
    return [sink, sender, go];
  })));

  /** A 'give' service: to each connection it sends one block of GIVEN_BYTES, then waits for the end to close. */
  const GIVEN_BYTES = 4096;
  async function startGiver(system: EventKernel, domain: "kernel" | "user"): Promise<EventProcess> {
    const giver = system.spawn(system.load(await eventApp({
      globals: ["listener", "end"],
      main: `(global.set $listener ${publishName("give")}) (drop (call $watch (global.get $listener) (i32.const 1))) ${line(text("giver: serving"))} (i32.const 0)`,
      dispatch: `
        (if (i32.eq (local.get $tag) (i32.const 1)) (then
          ${acceptOnlyConnection()}
          (drop (call $watch (global.get $end) (i32.const 2)))
          ${report("giver: send", `(call $send (global.get $end) (i32.const 1) (call $blockCreate (i32.const ${GIVEN_BYTES})))`)}
          (return)))
        (drop (call $capabilityDrop (global.get $end)))`,
    }), eventManifest("giver", { capabilities: ["console"], provides: ["give"] })), { domain });
    await untilPrinted(system, giver, "giver: serving");
    return giver;
  }

  /** A taker that fills `room` first (main's `fill`), connects to 'give', and on the message event frees one filler between two receives. */
  function takerApp(fill: string): Promise<Uint8Array<ArrayBuffer>> {
    return eventApp({
      globals: ["end", "filler", "fillers"],
      locals: ["result"],
      longLocals: ["packed"],
      main: `
        (global.set $end ${connectName("give")})
        ${fill}
        (drop (call $watch (global.get $end) (i32.const 1)))
        (i32.const 0)`,
      dispatch: `
        (if (i32.eq (local.get $kind) (i32.const ${CLOSED_EVENT})) (then (unreachable)))
        ${line(text("taker: receive"), long("(call $channelPoll (global.get $end))"))}
        (drop (call $capabilityDrop (global.get $filler)))
        (local.set $packed (call $channelPoll (global.get $end)))
        ${line(text("taker: after freeing room, message"), int(highHalf("(local.get $packed)")), text("with a block of"), int(`(call $blockSize ${lowHalf("(local.get $packed)")})`))}
        ${line(text("taker: again"), long("(call $channelPoll (global.get $end))"))}
        ;; Its blocks go with it: the end, the block received and the fillers.
        (call $exit (i32.const 0))`,
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`answers noMemory to a receive whose block is over the receiver's exchange quota, keeping the message queued until room is freed, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      const giver = await startGiver(system, setting.domain);
      const taker = system.spawn(system.load(await takerApp(`(global.set $filler (call $blockCreate (i32.const ${GIVEN_BYTES})))`), eventManifest("taker", { capabilities: ["console"], uses: ["give"] })), {
        domain: setting.domain, principal: principalHolding("small", ["kernelModeByPage"], { exchangeBytes: GIVEN_BYTES + GIVEN_BYTES / 2 }),
      });
      expect(await untilEnded(system, [taker, giver])).to.deep.equal([EXITED, EXITED]);
      expect(giver.lines()).to.deep.equal(["giver: serving", "giver: send 0"]);
      expect(taker.lines()).to.deep.equal([`taker: receive -${ErrorCode.noMemory}`, `taker: after freeing room, message 1 with a block of ${GIVEN_BYTES}`, `taker: again -${ErrorCode.wouldBlock}`]);
      return [giver, taker];
    })));

    it(`answers noMemory to a receive whose attachment finds the receiver's handle table full, keeping the message queued until a handle is dropped, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      const giver = await startGiver(system, setting.domain);
      // Fills the table with one-byte blocks until blocks.create is refused; the last one made is the one freed.
      const fill = `
        (block $full (loop $more
          (local.set $result (call $blockCreate (i32.const 1)))
          (br_if $full (i32.lt_s (local.get $result) (i32.const 0)))
          (global.set $filler (local.get $result))
          (global.set $fillers (i32.add (global.get $fillers) (i32.const 1)))
          (br $more)))
        ${report("taker: table full, create", "(local.get $result)")}`;
      const taker = system.spawn(system.load(await takerApp(fill), eventManifest("taker", { capabilities: ["console"], uses: ["give"] })), {
        domain: setting.domain, principal: principalHolding("small", ["kernelModeByPage"], { handles: 16 }),
      });
      expect(await untilEnded(system, [taker, giver])).to.deep.equal([EXITED, EXITED]);
      expect(taker.lines()).to.deep.equal([
        `taker: table full, create -${ErrorCode.noMemory}`,
        `taker: receive -${ErrorCode.noMemory}`, `taker: after freeing room, message 1 with a block of ${GIVEN_BYTES}`, `taker: again -${ErrorCode.wouldBlock}`,
      ]);
      return [giver, taker];
    })));
  }

  it("keeps a well-behaved client's conversation exact beside a violator on the same server (kernel domain, Node HAL)", () => withEventKernel(NODE_KERNEL, (system) => besideTicker(system, async () => {
    const server = system.spawn(system.load(await serverApp({ name: "echo", clients: 2 }), pingPongManifest("server", { provides: ["echo"] })), { domain: "kernel" });
    await untilPrinted(system, server, "server: serving");
    const violator = system.spawn(system.load(await eventApp({
      globals: ["server"],
      main: `
        (global.set $server ${connectName("echo")})
        ${report("violator: pong", `(call $send (global.get $server) (i32.const ${PONG}) (i32.const 0))`)}
        ${report("violator: bye", `(call $send (global.get $server) (i32.const ${BYE}) (i32.const 0))`)}
        ${report("violator: ping after bye", `(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`)}
        (i32.const 0)`,
    }), pingPongManifest("violator", { uses: ["echo"] })), { domain: "kernel" });
    const client = system.spawn(system.load(await clientApp({ name: "echo", pings: 3 }), pingPongManifest("client", { uses: ["echo"] })), { domain: "kernel" });
    expect(await untilEnded(system, [violator, client, server])).to.deep.equal([EXITED, EXITED, EXITED]);
    const violation = -ErrorCode.protocolViolation;
    expect(violator.lines()).to.deep.equal([`violator: pong ${violation}`, "violator: bye 0", `violator: ping after bye ${violation}`]);
    expect(client.lines()).to.deep.equal(["client: connected; ping 0", "client: got 1", "client: got 1", "client: got 1", "client: bye 0"]);
    expect(server.lines().filter((printed) => printed.startsWith("server: got")).sort()).to.deep.equal(["server: got 0", "server: got 0", "server: got 0", "server: got 2", "server: got 2"]);
    return [server, violator, client];
  })));

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`bounds endpoints a process keeps in flight, cycles included, and ends them with it, in the ${setting.name}`, () => withEventKernel(setting, (system) => besideTicker(system, async () => {
      // Sends fresh endpoints over a carrier whose far end it never reads until a send is refused,
      // then leaves two endpoints in flight inside each other's queues, drops its own ends and exits.
      const app = await eventApp({
        locals: ["carrier", "pair", "sent", "answer", "x", "y"],
        longLocals: ["packed"],
        main: `
          (local.set $packed ${createChannel()})
          (local.set $carrier ${highHalf("(local.get $packed)")})
          (block $refused (loop $again
            (local.set $packed ${createChannel()})
            (local.set $answer (call $send (local.get $carrier) (i32.const 0) ${lowHalf("(local.get $packed)")}))
            (br_if $refused (i32.lt_s (local.get $answer) (i32.const 0)))
            (drop (call $capabilityDrop ${highHalf("(local.get $packed)")}))
            (local.set $sent (i32.add (local.get $sent) (i32.const 1)))
            (br $again)))
          ${line(text("refused with"), int("(local.get $answer)"))}
          (local.set $packed ${createChannel()})
          (local.set $x ${highHalf("(local.get $packed)")})
          (local.set $pair ${lowHalf("(local.get $packed)")})
          (local.set $packed ${createChannel()})
          (local.set $y ${highHalf("(local.get $packed)")})
          ${report("x's peer into y's queue", "(call $send (local.get $y) (i32.const 0) (local.get $pair))")}
          ${report("y's peer into x's queue", `(call $send (local.get $x) (i32.const 0) ${lowHalf("(local.get $packed)")})`)}
          (drop (call $capabilityDrop (local.get $x)))
          (drop (call $capabilityDrop (local.get $y)))
          (i32.const 0)`,
      });
      // A principal of 40 handles: what it holds and what it has in flight together meet that bound
      // before the carrier's queue of 64 is full.
      const principal = principalHolding("small", ["kernelModeByPage"], { handles: 40 });
      const flooder = system.spawn(system.load(app, eventManifest("flooder")), { domain: setting.domain, principal });
      const bounded = system.spawn(system.load(app, eventManifest("queue-bounded")), { domain: setting.domain });
      expect(await untilEnded(system, [flooder, bounded])).to.deep.equal([EXITED, EXITED]);
      const cycle = ["x's peer into y's queue 0", "y's peer into x's queue 0"];
      // At its bound, every further send of a capability is refused the same way, the cycle's too.
      expect(flooder.lines()).to.deep.equal([`refused with -${ErrorCode.noMemory}`, ...cycle.map((sent) => sent.replace(/0$/, `-${ErrorCode.noMemory}`))]);
      // With the default handles the carrier's queue of 64 is the bound it meets first.
      expect(bounded.lines()).to.deep.equal([`refused with -${ErrorCode.wouldBlock}`, ...cycle]);
      expect(flooder.process.capabilities.sending).to.equal(0);
      return [flooder, bounded];
    })));
  }
});
