// Many processes at once: hundreds of hellos in a mix of domains, with faulting processes among
// them, all end with their own output; and the process table's limit (MAX_PROCESSES) refuses the
// next spawn with a ResourceLimitError while leaking nothing — no process record, no thread.
import { expect } from "chai";
import { ResourceLimitError, type Domain, type Kernel } from "../../kernel/index.js";
import { MAX_PROCESSES } from "../../kernel/params.js";
import { appBytes, spawnCaptured, type CapturedRun } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";
import { helloOutput, hostileKernel, liveDomainsOf } from "./support/beside-hello.js";

/** User domains cost a thread each (tens of milliseconds to start): 50 keeps the case bounded on two cores. */
const USER_HELLOS = 50;
const KERNEL_HELLOS = 150;
/**
 * The load the issue saw kill healthy apps with wall-clock budgets: 200 user domains at once, each
 * a thread of its own on two cores. Their start-up takes tens of seconds; no budget counts it.
 */
const MANY_USER_DOMAINS = 200;
/** Trapping processes mixed in, half in each domain: their faults must not touch their neighbours. */
const TRAPPERS = 10;

function helloArgs(index: number, domain: Domain): string[] {
  return [`process-${index}`, domain];
}

async function withKernel(body: (kernel: Kernel) => Promise<void>): Promise<void> {
  const kernel = hostileKernel();
  try {
    await body(kernel);
  } finally {
    await kernel.shutdown();
  }
}

describe("hostile/many processes", function () {
  this.timeout(120000);

  it(`runs ${MANY_USER_DOMAINS} user-domain hellos at once to their normal end: CPU budgets count CPU time, so the load does not kill them`, async () => {
    await withKernel(async (kernel) => {
      const hello = kernel.load(appBytes("hello"), {});
      const spawned = Array.from({ length: MANY_USER_DOMAINS }, (_, index) => spawnCaptured(kernel, hello, { domain: "user", args: helloArgs(index, "user") }));
      const runs = await Promise.all(spawned.map((one) => one.done));
      runs.forEach((run, index) => {
        expect(run.status, `hello ${index}`).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.stdout, `hello ${index}`).to.equal(helloOutput(helloArgs(index, "user")));
      });
      expect(kernel.processes.count).to.equal(0);
      expect(liveDomainsOf(kernel)).to.equal(0);
    });
  });

  it(`runs ${USER_HELLOS + KERNEL_HELLOS} hellos at once (${USER_HELLOS} in user domains, ${KERNEL_HELLOS} in the kernel domain) among ${TRAPPERS} trapping processes, each with its own output`, async () => {
    await withKernel(async (kernel) => {
      const hello = kernel.load(appBytes("hello"), {});
      const trapper = kernel.load(await assembleWat(conformantModule("", "(unreachable)")), { manifest: fixtureManifest("trapper", ["console"]) });
      // Interleaved (every fourth in a user domain), so kernel-domain processes run while user domains start.
      const every = (USER_HELLOS + KERNEL_HELLOS) / USER_HELLOS;
      const domains = Array.from({ length: USER_HELLOS + KERNEL_HELLOS }, (_, index): Domain => (index % every === 0 ? "user" : "kernel"));
      expect(domains.filter((domain) => domain === "user")).to.have.length(USER_HELLOS);
      const hellos = domains.map((domain, index) => ({ domain, index, ...spawnCaptured(kernel, hello, { domain, args: helloArgs(index, domain) }) }));
      const trappers = Array.from({ length: TRAPPERS }, (_, index) => spawnCaptured(kernel, trapper, { domain: index % 2 === 0 ? "kernel" : "user" }));
      expect(kernel.processes.count).to.equal(USER_HELLOS + KERNEL_HELLOS + TRAPPERS);
      const runs: CapturedRun[] = await Promise.all(hellos.map((spawned) => spawned.done));
      const trapped = await Promise.all(trappers.map((spawned) => spawned.done));
      for (const [position, { domain, index }] of hellos.entries()) {
        const run = runs[position]!;
        expect(run.status, `hello ${index} (${domain})`).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.stdout, `hello ${index} (${domain})`).to.equal(helloOutput(helloArgs(index, domain)));
        expect(run.process.domain).to.equal(domain);
        expect(run.process.capabilities.size).to.equal(0);
      }
      for (const run of trapped) {
        expect(run.status).to.deep.include({ kind: "faulted" });
        expect(run.status.kind === "faulted" && run.status.fault).to.include({ kind: "trap", message: "unreachable" });
        expect(run.process.capabilities.size).to.equal(0);
      }
      expect(kernel.processes.count).to.equal(0);
      expect(liveDomainsOf(kernel)).to.equal(0);
    });
  });

  for (const refusedDomain of ["kernel", "user"] as const) {
    it(`refuses a ${refusedDomain}-domain spawn past ${MAX_PROCESSES} live processes with a ResourceLimitError, leaks nothing, and spawns again once they end`, async () => {
      await withKernel(async (kernel) => {
        const hello = kernel.load(appBytes("hello"), {});
        // Kernel-domain processes: the table fills without thousands of threads. Spawning is
        // synchronous and they start running on a later turn, so all of them are live at once.
        const live = Array.from({ length: MAX_PROCESSES }, (_, index) => spawnCaptured(kernel, hello, { domain: "kernel", args: [`${index}`] }));
        expect(kernel.processes.count).to.equal(MAX_PROCESSES);
        expect(() => kernel.spawn(hello, { domain: refusedDomain, args: ["one too many"], output: () => undefined }))
          .to.throw(ResourceLimitError, `too many processes (limit ${MAX_PROCESSES})`);
        expect(kernel.processes.count, "the refused spawn left no process record").to.equal(MAX_PROCESSES);
        expect(liveDomainsOf(kernel), "the refused spawn started no thread").to.equal(0);
        const runs = await Promise.all(live.map((spawned) => spawned.done));
        for (const [index, run] of runs.entries()) expect(run.stdout, `process ${index}`).to.equal(helloOutput([`${index}`]));
        expect(kernel.processes.count).to.equal(0);
        const again = await spawnCaptured(kernel, hello, { domain: refusedDomain, args: ["room", "again"] }).done;
        expect(again.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(again.stdout).to.equal(helloOutput(["room", "again"]));
        expect(kernel.processes.count).to.equal(0);
        expect(liveDomainsOf(kernel)).to.equal(0);
      });
    });
  }
});
