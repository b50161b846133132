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

  it("in a user domain, takes one crossing per echo in all: the receive and its send go with the wait for the next event (batch.submit-and-wait)", async () => {
    const kernel = socketKernel();
    const echod = spawnEchod(kernel, "user", 1);
    const socket = await nodeClient(await echod.port);
    // The first round trip accepts the connection and starts watching it: count from after it.
    expect((await roundTrip(socket, Buffer.from("warm-up"))).toString()).to.equal("warm-up");
    const domain = echod.process.userDomain!;
    const trapsBefore = domain.stats().trapsByCall;
    const roundTrips = 20;
    for (let round = 0; round < roundTrips; round++) {
      const payload = Buffer.from(`round ${round}`);
      expect((await roundTrip(socket, payload)).toString()).to.equal(payload.toString());
    }
    const traps = domain.stats().trapsByCall;
    socket.end();
    expect((await echod.done).status).to.deep.equal({ kind: "exited", code: 0 });
    const made = (call: string) => (traps[call] ?? 0) - (trapsBefore[call] ?? 0);
    const crossings = Object.keys(traps).reduce((sum, call) => sum + made(call), 0);
    expect(made("sockets.receive")).to.equal(0);
    expect(made("sockets.send-block")).to.equal(0);
    expect(made("batch.submit")).to.equal(0);
    // One submit-and-wait per round trip, each answering the echo before and waiting for the next;
    // a payload split across two reads would add one. Not 2N: no wait of its own per echo.
    expect(made("batch.submit-and-wait")).to.be.within(roundTrips, roundTrips + 2);
    expect(crossings).to.be.within(roundTrips, roundTrips + 2);
  });

  for (const [domain, how] of [["kernel", "on its listener's closed event"], ["user", "from its listen at once"]] as const) {
    it(`in the ${domain} domain, hears of a port in use ${how} and exits 1`, async () => {
      const kernel = socketKernel();
      const first = spawnEchod(kernel, "kernel", 1);
      const port = await first.port;
      const output = { stdout: "", stderr: "" };
      const second = kernel.spawn(kernel.load(appBytes("echod")), { domain, args: [String(port)], output: (stream, text) => { output[stream] += text; } });
      expect(await second.completion).to.deep.equal({ kind: "exited", code: 1 });
      expect(output.stderr).to.equal(`echod: cannot listen on port ${port}: Address already in use (error 98)\n`);
      await echoed(port, "x");
      await first.done;
    });
  }
});
