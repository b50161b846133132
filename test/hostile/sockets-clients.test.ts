// Hostile clients against apps/echod, in both domains: a client that resets mid-write, one that
// half-closes and keeps reading, one that floods without reading, one that sends garbage and
// vanishes; none stops echod serving the others, and killing echod closes every socket it held.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { openSockets } from "../../kernel/network/index.js";
import { eventually } from "../helpers/event-kernel.js";
import { nodeClient, closeSocketKernels, echoed, expectSocketsBackTo, hostSockets, roundTrip, socketKernel, spawnEchod } from "../helpers/socket-kernel.js";

describe("hostile/sockets: clients against echod", function () {
  this.timeout(60_000);
  afterEach(closeSocketKernels);

  for (const domain of ["kernel", "user"] as const) {
    it(`keeps serving others in the ${domain} domain while one client floods and never reads, one resets mid-write and one sends garbage and vanishes`, async () => {
      const kernel = socketKernel();
      const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
      const echod = spawnEchod(kernel, domain);
      const port = await echod.port;
      // The flooder writes 8 MiB and reads nothing: echod's sends to it go short, and it stops reading from it.
      const flooder = await nodeClient(port);
      flooder.pause();
      flooder.on("error", () => {});
      const flood = Buffer.alloc(8 * 1024 * 1024, 0x41);
      flooder.write(flood);
      // The resetter starts a large write and resets the connection in the middle of it.
      const resetter = await nodeClient(port);
      resetter.on("error", () => {});
      resetter.write(Buffer.alloc(1024 * 1024, 0x42));
      setImmediate(() => resetter.resetAndDestroy());
      // Garbage, then gone without a word.
      const vandal = await nodeClient(port);
      vandal.on("error", () => {});
      vandal.write(randomBytes(100_000));
      vandal.destroy();
      // A half-closed client still gets its whole echo.
      const halfClosed = await echoed(port, "half closed but listening");
      expect(halfClosed.toString()).to.equal("half closed but listening");
      // Well-behaved clients are served while the flooder is still stuck.
      const others = await Promise.all(Array.from({ length: 4 }, () => nodeClient(port)));
      for (let round = 0; round < 10; round++) {
        await Promise.all(others.map(async (socket, index) => {
          const payload = Buffer.from(`other ${index} round ${round}`);
          expect((await roundTrip(socket, payload)).toString()).to.equal(payload.toString());
        }));
      }
      expect(flooder.bytesWritten, "the flooder's writes are held back").to.be.below(flood.length + 1);
      // The flooder starts reading: it gets its flood back, whole.
      let floodBack = 0;
      flooder.on("data", (data: Buffer) => { floodBack += data.length; });
      flooder.resume();
      await eventually(() => floodBack === flood.length, "the flood to come back whole");
      for (const socket of [...others, flooder]) socket.destroy();
      expect(echod.process.status, "echod still running").to.equal(undefined);
      kernel.kill(echod.process, "the test is over");
      await echod.done;
      await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
    });

    it(`closes every socket when echod is killed mid-conversation in the ${domain} domain; its clients read the connection's end`, async () => {
      const kernel = socketKernel();
      const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
      const echod = spawnEchod(kernel, domain);
      const port = await echod.port;
      const clients = await Promise.all(Array.from({ length: 5 }, () => nodeClient(port)));
      for (const socket of clients) expect((await roundTrip(socket, Buffer.from("hi"))).toString()).to.equal("hi");
      const ended = Promise.all(clients.map((socket) => new Promise((resolve) => { socket.on("error", () => {}); socket.once("end", resolve); })));
      kernel.kill(echod.process, "killed by the test");
      expect((await echod.done).status).to.deep.include({ kind: "faulted" });
      await ended;
      await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
    });
  }
});
