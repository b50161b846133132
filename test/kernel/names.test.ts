// The name service end to end: a process publishes a PingPong service, another connects and talks
// to it, in each domain; least privilege (the manifest's provides/uses, the principal's services);
// a name published twice, an unknown name, a publisher that dies, a listener whose queue is full.
import { expect } from "chai";
import { openEndpoints } from "../../kernel/channels/index.js";
import { principalFromPolicy, type SystemPolicy } from "../../kernel/index.js";
import { MAX_QUEUED_MESSAGES } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { clientApp, pingPongManifest, serverApp } from "../helpers/channel-apps.js";
import { expectNothingLeaked, until, untilEnded, untilPrinted } from "../helpers/channel-kernel.js";
import { connectName, eventApp, int, line, outcome, publishName, text } from "../helpers/event-apps.js";
import { NODE_USER, SIM_KERNEL, SIM_USER, expectKilled, withEventKernel, type EventKernel } from "../helpers/event-kernel.js";

const EXITED = { kind: "exited", code: 0 };

/** An app whose main prints what publishing `name`, then connecting to it, answer, and exits 0. */
function publishThenConnect(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return eventApp({ main: `${line(text("publish"), outcome(publishName(name, "PingPong")), text("connect"), outcome(connectName(name)))} (i32.const 0)` });
}

/** An app whose main prints what connecting to `name` answers, `times` times over, and exits 0 (its ends close with it). */
function connector(name: string, times = 1): Promise<Uint8Array<ArrayBuffer>> {
  return eventApp({
    locals: ["count", "result"],
    main: `
      (loop $again
        (local.set $result ${connectName(name)})
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (if (i32.lt_u (local.get $count) (i32.const ${times})) (then (br_if $again (i32.ge_s (local.get $result) (i32.const 0))))))
      ${line(text("connect"), int("(local.get $count)"), int("(local.get $result)"))}
      (i32.const 0)`,
  });
}

async function startServer(system: EventKernel, name: string, options: { clients: number; replies?: boolean; domain: "kernel" | "user" }) {
  const image = system.load(await serverApp({ name, clients: options.clients, replies: options.replies }), pingPongManifest("server", { provides: [name] }));
  const server = system.spawn(image, { domain: options.domain });
  await untilPrinted(system, server, "server: serving");
  return server;
}

describe("kernel/names", function () {
  this.timeout(60_000);

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`connects a client to a published service and carries its conversation, in the ${setting.name}`, () => withEventKernel(setting, async (system) => {
      const endpointsBefore = openEndpoints();
      const server = await startServer(system, "echo", { clients: 2, domain: setting.domain });
      const clientImage = system.load(await clientApp({ name: "echo", pings: 2 }), pingPongManifest("client", { uses: ["echo"] }));
      const first = system.spawn(clientImage, { domain: setting.domain, name: "first" });
      expect(await untilEnded(system, [first])).to.deep.equal([EXITED]);
      // The first connection's end reaches the server as an event of its own: on worker threads it
      // may come after the second client's connection unless the second waits for it.
      await untilPrinted(system, server, "server: closed");
      const second = system.spawn(clientImage, { domain: setting.domain, name: "second" });
      expect(await untilEnded(system, [second, server])).to.deep.equal([EXITED, EXITED]);
      const conversation = ["client: connected; ping 0", "client: got 1", "client: got 1", "client: bye 0"];
      expect(first.lines()).to.deep.equal(conversation);
      expect(second.lines()).to.deep.equal(conversation);
      const served = ["server: connected", "server: got 0", "server: got 0", "server: got 2", "server: closed"];
      expect(server.lines()).to.deep.equal(["server: serving", ...served, ...served]);
      await expectNothingLeaked(system, [server, first, second], endpointsBefore);
    }));
  }

  it("refuses a process whose manifest does not list the name: notPermitted to publish without provides, to connect without uses", () => withEventKernel(SIM_KERNEL, async (system) => {
    const endpointsBefore = openEndpoints();
    const bytes = await publishThenConnect("echo");
    const neither = system.spawn(system.load(bytes, pingPongManifest("neither")));
    const providesOnly = system.spawn(system.load(bytes, pingPongManifest("provider", { provides: ["echo"] })));
    const usesOther = system.spawn(system.load(bytes, pingPongManifest("user", { provides: ["other"], uses: ["other"] })));
    expect(await untilEnded(system, [neither, providesOnly, usesOther])).to.deep.equal([EXITED, EXITED, EXITED]);
    expect(neither.lines()).to.deep.equal([`publish -${ErrorCode.notPermitted} connect -${ErrorCode.notPermitted}`]);
    // It may publish 'echo' but not connect to it: the listener it got went with it.
    expect(providesOnly.lines()).to.deep.equal([`publish ok connect -${ErrorCode.notPermitted}`]);
    expect(usesOther.lines()).to.deep.equal([`publish -${ErrorCode.notPermitted} connect -${ErrorCode.notPermitted}`]);
    await expectNothingLeaked(system, [neither, providesOnly, usesOther], endpointsBefore);
  }));

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`refuses a principal whose policy's services leave the name out, though the manifest lists it, in the ${setting.name}`, () => withEventKernel(setting, async (system) => {
      const policy: SystemPolicy = {
        version: 1,
        defaultPrincipal: "guest",
        principals: { guest: { capabilities: ["kernelModeByPage"], services: ["weather"] }, host: { capabilities: ["kernelModeByPage"], services: ["echo"] } },
      };
      const endpointsBefore = openEndpoints();
      const image = system.load(await publishThenConnect("echo"), pingPongManifest("both", { provides: ["echo"], uses: ["echo"] }));
      const guest = system.spawn(image, { domain: setting.domain, principal: principalFromPolicy(policy, "guest"), name: "guest" });
      expect(await untilEnded(system, [guest])).to.deep.equal([EXITED]);
      expect(guest.lines()).to.deep.equal([`publish -${ErrorCode.notPermitted} connect -${ErrorCode.notPermitted}`]);
      // The same manifest under a principal the policy lets have 'echo': both calls are answered.
      const host = system.spawn(image, { domain: setting.domain, principal: principalFromPolicy(policy, "host"), name: "host" });
      expect(await untilEnded(system, [host])).to.deep.equal([EXITED]);
      expect(host.lines()).to.deep.equal(["publish ok connect ok"]);
      await expectNothingLeaked(system, [guest, host], endpointsBefore);
    }));
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`answers alreadyExists to a second publish of a live name and notFound to a connect to an unknown one, in the ${setting.name}`, () => withEventKernel(setting, async (system) => {
      const endpointsBefore = openEndpoints();
      const server = await startServer(system, "echo", { clients: 1, domain: setting.domain });
      const again = system.spawn(system.load(await publishThenConnect("echo"), pingPongManifest("again", { provides: ["echo"], uses: ["nowhere"] })), { domain: setting.domain });
      const lost = system.spawn(system.load(await connector("nowhere"), pingPongManifest("lost", { uses: ["nowhere"] })), { domain: setting.domain });
      expect(await untilEnded(system, [again, lost])).to.deep.equal([EXITED, EXITED]);
      expect(again.lines()).to.deep.equal([`publish -${ErrorCode.alreadyExists} connect -${ErrorCode.notPermitted}`]);
      expect(lost.lines()).to.deep.equal([`connect 1 -${ErrorCode.notFound}`]);
      // The first publisher is undisturbed: a client still gets through.
      const client = system.spawn(system.load(await clientApp({ name: "echo", pings: 1 }), pingPongManifest("client", { uses: ["echo"] })), { domain: setting.domain });
      expect(await untilEnded(system, [client, server])).to.deep.equal([EXITED, EXITED]);
      expect(client.lines()).to.deep.equal(["client: connected; ping 0", "client: got 1", "client: bye 0"]);
      await expectNothingLeaked(system, [server, again, lost, client], endpointsBefore);
    }));
  }

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`forgets a dead publisher's name (connect answers notFound) and tells its connected clients peerClosed, in the ${setting.name}`, () => withEventKernel(setting, async (system) => {
      const endpointsBefore = openEndpoints();
      const server = await startServer(system, "echo", { clients: 2, replies: false, domain: setting.domain });
      const clientImage = system.load(await clientApp({ name: "echo", pings: 1 }), pingPongManifest("client", { uses: ["echo"] }));
      const clients = [system.spawn(clientImage, { domain: setting.domain, name: "ada" }), system.spawn(clientImage, { domain: setting.domain, name: "grace" })];
      await until(system, () => server.lines().filter((printed) => printed === "server: got 0").length === 2, "both pings to arrive");
      system.kernel.kill(server.process, "the test ends the publisher");
      expectKilled(await server.status, "the test ends the publisher");
      expect(await untilEnded(system, clients)).to.deep.equal([EXITED, EXITED]);
      for (const client of clients) {
        expect(client.lines()).to.deep.equal(["client: connected; ping 0", `client: closed; send -${ErrorCode.peerClosed} receive -${ErrorCode.peerClosed}`]);
      }
      const late = system.spawn(system.load(await connector("echo"), pingPongManifest("late", { uses: ["echo"] })), { domain: setting.domain });
      expect(await untilEnded(system, [late])).to.deep.equal([EXITED]);
      expect(late.lines()).to.deep.equal([`connect 1 -${ErrorCode.notFound}`]);
      await expectNothingLeaked(system, [server, ...clients, late], endpointsBefore);
    }));
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`answers wouldBlock to a connect past a full listener queue (${MAX_QUEUED_MESSAGES} waiting), making nothing, in the ${setting.name}`, () => withEventKernel(setting, async (system) => {
      const endpointsBefore = openEndpoints();
      // A publisher that never takes a connection: its listener fills up. Killed at the end, it drops them all.
      const hoarder = system.spawn(system.load(await eventApp({
        globals: ["listener"],
        main: `(global.set $listener ${publishName("echo", "PingPong")}) (drop (call $watch (global.get $listener) (i32.const 0))) ${line(text("server: serving"))} (i32.const 0)`,
        dispatch: "",
      }), pingPongManifest("hoarder", { provides: ["echo"] })), { domain: setting.domain });
      await untilPrinted(system, hoarder, "server: serving");
      const flooder = system.spawn(system.load(await connector("echo", MAX_QUEUED_MESSAGES + 1), pingPongManifest("flooder", { uses: ["echo"] })), { domain: setting.domain });
      expect(await untilEnded(system, [flooder])).to.deep.equal([EXITED]);
      expect(flooder.lines()).to.deep.equal([`connect ${MAX_QUEUED_MESSAGES + 1} -${ErrorCode.wouldBlock}`]);
      // The refused connect made no channel: open are the listener's two ends and the server ends of the queued connections.
      expect(openEndpoints() - endpointsBefore).to.equal(2 + MAX_QUEUED_MESSAGES);
      system.kernel.kill(hoarder.process, "the test ends the publisher");
      await expectNothingLeaked(system, [hoarder, flooder], endpointsBefore);
    }));
  }
});
