// Conformance of the user-domain thread pool: which threads are kept for the next domain, how
// many and for how long, and that kept threads never keep the host process alive.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NodeCpu, NodeTimer, params, runModule } from "../../hal/node/index.js";
import { WorkerPool } from "../../hal/node/user-domain/index.js";
import { FakeKernel, appBinary, domainSpec } from "./helpers.js";
import { oneDomainThenExit } from "./fixtures/index.js";
import { readProjectFile } from "../helpers/kernel.js";

async function helloOn(cpu: NodeCpu, processId = 7) {
  const running = runModule(cpu, domainSpec(appBinary("hello"), { processId }), new FakeKernel());
  expect(await running.completion).to.deep.equal({ kind: "returned", value: 0 });
  return running.stats().thread;
}

describe("hal domain thread pool", function () {
  this.timeout(60000);

  it("runs domains one after another on one thread, counting the domains it served", async () => {
    const cpu = new NodeCpu(new NodeTimer());
    const threads = [];
    for (let round = 0; round < 3; round++) threads.push(await helloOn(cpu));
    expect(threads.map((thread) => thread.id)).to.deep.equal([threads[0]!.id, threads[0]!.id, threads[0]!.id]);
    expect(threads.map((thread) => thread.domainsBefore)).to.deep.equal([0, 1, 2]);
    expect(cpu.idleThreads).to.equal(1);
    await cpu.terminateAll("done");
    expect(cpu.idleThreads).to.equal(0);
  });

  it("starts a thread for every domain when it keeps none (keptDomainThreads 0)", async () => {
    const cpu = new NodeCpu(new NodeTimer(), { keptDomainThreads: 0 });
    const first = await helloOn(cpu);
    const second = await helloOn(cpu);
    expect(second.id).to.not.equal(first.id);
    expect(second.domainsBefore).to.equal(0);
    expect(cpu.idleThreads).to.equal(0);
    await cpu.terminateAll("done");
  });

  it(`keeps at most DEFAULT_KEPT_DOMAIN_THREADS (${params.DEFAULT_KEPT_DOMAIN_THREADS}) threads after a burst of domains and terminates the rest`, async () => {
    const cpu = new NodeCpu(new NodeTimer());
    const burst = params.DEFAULT_KEPT_DOMAIN_THREADS + 3;
    const threads = await Promise.all(Array.from({ length: burst }, (_, index) => helloOn(cpu, index)));
    expect(new Set(threads.map((thread) => thread.id)).size).to.equal(burst);
    expect(cpu.idleThreads).to.equal(params.DEFAULT_KEPT_DOMAIN_THREADS);
    expect(cpu.liveDomains).to.equal(0);
    await cpu.terminateAll("done");
  });

  it("terminates a kept thread left unused for its idle time", async () => {
    const pool = new WorkerPool({ prewarmed: 0, kept: 2, idleMilliseconds: 50 });
    const thread = pool.take();
    pool.giveBack(thread);
    expect(pool.idleThreads).to.equal(1);
    const exited = new Promise<number>((resolve) => thread.worker.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(pool.idleThreads).to.equal(0);
    await exited;
    await pool.close();
  });

  it("terminates a thread given back after close", async () => {
    const pool = new WorkerPool({ prewarmed: 0, kept: 2 });
    const thread = pool.take();
    await pool.close();
    pool.giveBack(thread);
    await new Promise<number>((resolve) => thread.worker.once("exit", resolve));
    expect(pool.idleThreads).to.equal(0);
  });

  it("lets the host process exit while a thread is kept, without waiting for its idle time", () => {
    const started = Date.now();
    const result = spawnSync(process.execPath, [fileURLToPath(oneDomainThenExit)], { encoding: "utf8", timeout: 30000 });
    expect(result.stderr).to.equal("");
    expect(result.stdout.trim()).to.equal(`${JSON.stringify({ kind: "returned", value: 0 })} 1`);
    expect(Date.now() - started).to.be.below(params.IDLE_DOMAIN_THREAD_MILLISECONDS);
  });

  it("is described by docs/hal/README.md with the bounds the code has", () => {
    const page = readProjectFile("docs/hal/README.md");
    expect(page).to.contain(`\`DEFAULT_KEPT_DOMAIN_THREADS\` (${params.DEFAULT_KEPT_DOMAIN_THREADS})`);
    expect(page).to.contain(`\`IDLE_DOMAIN_THREAD_MILLISECONDS\` (${params.IDLE_DOMAIN_THREAD_MILLISECONDS})`);
    expect(page).to.contain("`keptDomainThreads`");
    expect(page).to.contain("**Clean-isolate guarantee.**");
  });
});
