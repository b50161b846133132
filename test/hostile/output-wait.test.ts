// A user domain that writes to a full output queue waits in its write, holding no CPU, until the
// queue has room; the kernel can still kill it there, and nothing of it is left behind.
import { expect } from "chai";
import type { NodeCpu } from "../../hal/node/index.js";
import type { OutputStream, OutputTarget } from "../../kernel/index.js";
import { appBytes, testKernel } from "../helpers/kernel.js";

/** A reader that takes some text and then never again: it never says it has room. */
class StalledReader implements OutputTarget {
  taken = 0;
  constructor(private readonly takesBeforeStalling: number) {}

  write(stream: OutputStream, text: string): number {
    if (stream === "stderr") return text.length;
    const room = Math.max(0, this.takesBeforeStalling - this.taken);
    const taken = Math.min(room, text.length);
    this.taken += taken;
    return taken;
  }

  writable(stream: OutputStream): boolean {
    return stream === "stderr" || this.taken < this.takesBeforeStalling;
  }

  whenWritable(): void {
    // Never: the reader has stalled for good.
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("hostile/a user domain waiting in a write", function () {
  this.timeout(30000);

  it("waits in its write, making no further attempts, and ends cleanly when killed there", async () => {
    const kernel = testKernel();
    const reader = new StalledReader(1000);
    const flood = kernel.spawn(kernel.load(appBytes("flood")), { domain: "user", args: ["100000", "100"], output: reader });
    await until(() => flood.output.stats.wouldBlockWrites > 0);
    // A writer that retried would be refused again and again; a parked one makes no more attempts.
    const refused = flood.output.stats.wouldBlockWrites;
    const traps = flood.userDomain!.stats().trapsByCall["console.write"];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(flood.status, "still waiting in its write").to.equal(undefined);
    expect(flood.output.stats.wouldBlockWrites).to.equal(refused);
    expect(flood.userDomain!.stats().trapsByCall["console.write"]).to.equal(traps);
    expect(flood.output.stats.peakQueuedUnits).to.be.at.most(flood.output.limit);
    kernel.kill(flood, "killed while it waited");
    const status = await flood.completion;
    expect(status.kind === "faulted" && status.fault.kind).to.equal("killed");
    expect(kernel.processes.count).to.equal(0);
    expect(flood.capabilities.size).to.equal(0);
    expect((kernel.devices.cpu as NodeCpu).liveDomains).to.equal(0);
    await kernel.shutdown();
  });
});
