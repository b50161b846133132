// Conformance of the AssemblyScript runtime's Channels.subscribe: an echo service and its client
// built as apps are, each subscribing its ends, in every pairing of domains. The callback sees
// each message's number and attachment in order (from the kernel through `deliver` in the kernel
// domain, from the runtime's own receive in a user domain), then the closed event; both
// processes end holding nothing.
import { expect } from "chai";
import type { Manifest } from "../../runtime/abi/index.js";
import { RUNTIME_IMPORT, compileAssemblyScriptSource } from "../../runtime/toolchain/compile-source.js";
import { subscribedService } from "../../bench/assemblyscript-channel-apps.js";
import { spawnCaptured, testKernel } from "../helpers/kernel.js";

const SERVICE = "echo";
const REQUESTS = 3;

/** Answers request N, which carries a block, with message N + 10 carrying the same block back. */
const SERVER = `
import { Blocks, Capabilities, Channels, Console, EVENT_CLOSED, Endpoint, Names } from "${RUNTIME_IMPORT}";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let listener: u32 = 0;

function onRequest(client: Endpoint, message: u32, attachment: u32): void {
  if (client.event == EVENT_CLOSED) {
    Console.log("server: closed");
    Capabilities.drop(client.handle);
    Capabilities.drop(listener);
    return;
  }
  Console.log("server: request " + message.toString() + " carrying " + Blocks.size(attachment).toString() + " bytes");
  Channels.send(client.handle, message + 10, attachment);
}
${subscribedService(SERVICE)}`;

/** Sends requests 0 to ${REQUESTS - 1}, request N with a block of N + 1 bytes, each when the previous reply came; then closes. */
const CLIENT = `
import { Blocks, Capabilities, Channels, Console, EVENT_CLOSED, Endpoint, Names } from "${RUNTIME_IMPORT}";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let sent: u32 = 0;

function request(server: u32): void {
  Channels.send(server, sent, <u32>Blocks.create(sent + 1));
  sent++;
}

function onReply(server: Endpoint, message: u32, attachment: u32): void {
  if (server.event == EVENT_CLOSED) return;
  Console.log("client: reply " + message.toString() + " carrying " + Blocks.size(attachment).toString() + " bytes");
  Capabilities.drop(attachment);
  if (sent < ${REQUESTS}) request(server.handle);
  else Capabilities.drop(server.handle);
}

export function main(): i32 {
  const server = Names.connect("${SERVICE}");
  if (server < 0) return 2;
  const subscribed = Channels.subscribe(<u32>server, onReply);
  if (subscribed < 0) return 3;
  request(<u32>server);
  return 0;
}
`;

const serverManifest: Manifest = { name: "echo-server", capabilities: ["console"], provides: [SERVICE], entryPoints: { main: {} } };
const clientManifest: Manifest = { name: "echo-client", capabilities: ["console"], uses: [SERVICE], entryPoints: { main: {} } };

function lines(...each: string[]): string {
  return each.map((line) => `${line}\n`).join("");
}

describe("runtime/channel subscriptions", function () {
  this.timeout(60_000);
  let binaries: { server: Uint8Array<ArrayBuffer>; client: Uint8Array<ArrayBuffer> };

  before(async () => {
    binaries = { server: await compileAssemblyScriptSource("echo-server", SERVER), client: await compileAssemblyScriptSource("echo-client", CLIENT) };
  });

  for (const serverDomain of ["kernel", "user"] as const) {
    for (const clientDomain of ["kernel", "user"] as const) {
      it(`hands the callback each message's number and attachment in order, then the closed event: ${serverDomain}-domain server, ${clientDomain}-domain client`, async () => {
        const kernel = testKernel();
        try {
          const server = spawnCaptured(kernel, kernel.load(binaries.server, { manifest: serverManifest }), { domain: serverDomain });
          while (kernel.services.names!.published === 0) await new Promise((resolve) => setImmediate(resolve));
          const client = spawnCaptured(kernel, kernel.load(binaries.client, { manifest: clientManifest }), { domain: clientDomain });
          const [served, talked] = await Promise.all([server.done, client.done]);
          expect(talked.status).to.deep.equal({ kind: "exited", code: 0 });
          expect(served.status).to.deep.equal({ kind: "exited", code: 0 });
          expect(talked.stdout).to.equal(lines("client: reply 10 carrying 1 bytes", "client: reply 11 carrying 2 bytes", "client: reply 12 carrying 3 bytes"));
          expect(served.stdout).to.equal(lines("server: request 0 carrying 1 bytes", "server: request 1 carrying 2 bytes", "server: request 2 carrying 3 bytes", "server: closed"));
          expect([served.process.capabilities.size, talked.process.capabilities.size], "handles left").to.deep.equal([0, 0]);
          expect(served.process.events.statistics.delivered, "a connection, three requests, the closed event").to.equal(5);
        } finally {
          await kernel.shutdown();
        }
      });
    }
  }
});
