// apps/echod against real Node clients over loopback, in both domains: many clients at once, a
// limit of N connections after which it ends, and every socket closed when it does.
import { expect } from "chai";
import { openSockets } from "../../kernel/network/index.js";
import { appBytes } from "../helpers/kernel.js";
import { nodeClient, closeSocketKernels, echoed, expectSocketsBackTo, hostSockets, roundTrip, socketKernel, spawnEchod } from "../helpers/socket-kernel.js";

describe("kernel/sockets: echod", function () {
  this.timeout(60_000);
  afterEach(closeSocketKernels);

  for (const domain of ["kernel", "user"] as const) {
    it(`echoes 16 clients at once, each many round trips, in the ${domain} domain, then ends after them with every socket closed`, async () => {
      const kernel = socketKernel();
      const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
      const echod = spawnEchod(kernel, domain, 16);
      const port = await echod.port;
      const clients = await Promise.all(Array.from({ length: 16 }, () => nodeClient(port)));
      await Promise.all(clients.map(async (socket, index) => {
        for (let round = 0; round < 20; round++) {
          const payload = Buffer.from(`client ${index} round ${round} `.repeat(1 + (round % 5)));
          expect((await roundTrip(socket, payload)).toString()).to.equal(payload.toString());
        }
        socket.end();
      }));
      const ended = await echod.done;
      expect(ended.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(ended.stdout).to.contain("echod: served 16 connections");
      expect(ended.stderr).to.equal("");
      await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
      for (const socket of clients) socket.destroy();
    });

    it(`echoes a large payload whole and in order in the ${domain} domain`, async () => {
      const kernel = socketKernel();
      const echod = spawnEchod(kernel, domain, 1);
      const payload = Buffer.alloc(2 * 1024 * 1024);
      for (let index = 0; index < payload.length; index++) payload[index] = (index * 7) % 256;
      const answer = await echoed(await echod.port, payload);
      expect(answer.length).to.equal(payload.length);
      expect(answer.equals(payload)).to.equal(true);
      expect((await echod.done).status).to.deep.equal({ kind: "exited", code: 0 });
    });
  }

  it("in a user domain, makes one kernel entry per echo besides its wait: the receive and its send are one linked batch", async () => {
    const kernel = socketKernel();
    const echod = spawnEchod(kernel, "user", 1);
    const socket = await nodeClient(await echod.port);
    const roundTrips = 20;
    for (let round = 0; round < roundTrips; round++) {
      const payload = Buffer.from(`round ${round}`);
      expect((await roundTrip(socket, payload)).toString()).to.equal(payload.toString());
    }
    const traps = echod.process.userDomain!.stats().trapsByCall;
    socket.end();
    expect((await echod.done).status).to.deep.equal({ kind: "exited", code: 0 });
    expect(traps["sockets.receive"]).to.equal(undefined);
    expect(traps["sockets.send-block"]).to.equal(undefined);
    // One batch per round trip; a payload split across two reads would add one.
    expect(traps["batch.submit"]).to.be.within(roundTrips, roundTrips + 2);
  });

  for (const [domain, how] of [["kernel", "on its listener's closed event"], ["user", "from its listen at once"]] as const) {
    it(`in the ${domain} domain, hears of a port in use ${how} and exits 1`, async () => {
      const kernel = socketKernel();
      const first = spawnEchod(kernel, "kernel", 1);
      const port = await first.port;
      const output = { stdout: "", stderr: "" };
      const second = kernel.spawn(kernel.load(appBytes("echod")), { domain, args: [String(port)], output: (stream, text) => { output[stream] += text; } });
      expect(await second.completion).to.deep.equal({ kind: "exited", code: 1 });
      expect(output.stderr).to.equal(`echod: cannot listen on port ${port}: error 98\n`);
      await echoed(port, "x");
      await first.done;
    });
  }
});
