// Hostile resource use: tables and memories grown without end, shared memories with huge
// maximums, minimums over the limits, manifests asking for more than their principal may have,
// and a policy that lowers a principal's limits. Each case runs beside a healthy hello and must
// end the offending process (or refuse it) without harming the kernel or leaving anything behind.
// Growth past a limit fails inside the engine (memory.grow and table.grow give -1) because the
// kernel rewrites every module's maximums down to its limits before instantiation, so the margin
// by which a process can exceed its memory limit is zero pages, in either domain.
import { expect } from "chai";
import { LimitRefusal, LinkError, LoadError, principalFromPolicy, type Domain, type Process, type SystemPolicy } from "../../kernel/index.js";
import { CEILING_TABLE_ELEMENTS, DEFAULT_USER_MEMORY_PAGES } from "../../kernel/params.js";
import type { Manifest } from "../../runtime/abi/index.js";
import { appBytes, spawnCaptured } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";
import { DOMAINS, faultOf, helloOutput, hostileKernel, liveDomainsOf, runBesideHello } from "./support/beside-hello.js";

const CONSOLE_WRITE = `(import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))`;
/** Pages a memory may grow past its limit: none, since the engine enforces the rewritten maximum. */
const MEMORY_MARGIN_PAGES = 0;
const FUEL_BUDGET = 1_000_000;
const CPU_MILLISECONDS = 200;

/** `conformantModule` with its memory declared as `memory` (limits and flags). */
function withMemory(wat: string, memory: string): string {
  return wat.replace(`(memory (export "memory") 1 4)`, `(memory (export "memory") ${memory})`);
}

function manifest(name: string, limits: Manifest["limits"] = {}): Manifest {
  return { ...fixtureManifest(name, ["console"]), limits: { fuelPerEntry: FUEL_BUDGET, cpuMilliseconds: CPU_MILLISECONDS, ...limits } };
}

/** Grows table $t by `delta` 1000 times; exits with the table's size (the number of -1s is not needed: size says it). */
function tableGrower(table: string, delta: number): string {
  return conformantModule("", `
    (local $tries i32)
    (loop $again
      (drop (table.grow $t (ref.null func) (i32.const ${delta})))
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $tries) (i32.const 1000))))
    (table.size $t)`, `(table $t ${table} funcref)`);
}

/** Grows table $t by 1,000,000 forever, ignoring every -1: only its budget can end it. */
function endlessTableGrower(table: string): string {
  return conformantModule("", `(loop $forever (drop (table.grow $t (ref.null func) (i32.const 1000000))) (br $forever)) (i32.const 0)`, `(table $t ${table} funcref)`);
}

/** Grows memory one page at a time until memory.grow gives -1; exits with the number of pages it has. */
function memoryGrower(memory: string): string {
  return withMemory(conformantModule("", `(loop $again (br_if $again (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (memory.size)`), memory);
}

/**
 * Grows memory a page at a time and writes "hi" from the newest page through the kernel each time,
 * so the kernel sees every page; when growth fails it traps, ending the process at its limit.
 */
function growingWriter(memory: string): string {
  return withMemory(conformantModule(CONSOLE_WRITE, `
    (local $address i32)
    (loop $again
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (unreachable)))
      (local.set $address (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.const 4)))
      (i32.store (local.get $address) (i32.const 0x00690068))
      (drop (call $write (local.get $address) (i32.const 2)))
      (br $again))
    (i32.const 0)`), memory);
}

/** A policy whose principal `small` may have two pages of memory and ten table elements, and may run verified code in kernel mode. */
const SMALL_POLICY: SystemPolicy = {
  version: 1,
  defaultPrincipal: "user",
  principals: {
    user: { capabilities: ["kernelModeByPage"] },
    small: { capabilities: ["kernelModeByPage"], limits: { memoryPages: 2, tableElements: 10, fuelPerEntry: 5_000_000 } },
  },
};

function userDomainMemoryPages(process: Process): number {
  const stats = process.userDomain?.stats();
  expect(stats, "a user-domain process has its domain's stats").to.not.equal(undefined);
  return stats!.memoryPages;
}

describe("hostile/resources", function () {
  this.timeout(60000);

  describe("table growth", () => {
    // Before the kernel bounded tables, this aborted the whole Node process (V8 out of memory).
    it("sees -1 from table.grow by 1,000,000 on a table without a maximum and ends normally (unverified: user domain only)", async () => {
      const bytes = await assembleWat(tableGrower("0", 1_000_000));
      const { status } = await runBesideHello(bytes, manifest("table-grower"), { domain: "user" });
      expect(status, "not one growth succeeded").to.deep.equal({ kind: "exited", code: 0 });
    });

    for (const domain of DOMAINS) {
      it(`stops table growth by 1 at the principal's ${CEILING_TABLE_ELEMENTS} elements in the ${domain} domain`, async () => {
        const bytes = await assembleWat(tableGrower(`0 ${CEILING_TABLE_ELEMENTS}`, 1_000));
        const { status } = await runBesideHello(bytes, manifest("table-grower"), { domain });
        expect(status).to.deep.equal({ kind: "exited", code: CEILING_TABLE_ELEMENTS });
      });
    }

    it("stops an endless table.grow loop on a table without a maximum by its CPU budget (unverified: user domain only)", async () => {
      const bytes = await assembleWat(endlessTableGrower("0"));
      const { status } = await runBesideHello(bytes, manifest("table-grower"), { domain: "user" });
      expect(faultOf(status).kind).to.equal("cpu-budget");
    });

    for (const [domain, kind] of [["kernel", "fuel-exhausted"], ["user", "cpu-budget"]] as const) {
      it(`stops an endless table.grow loop in the ${domain} domain by its budget (${kind})`, async () => {
        const bytes = await assembleWat(endlessTableGrower(`0 ${CEILING_TABLE_ELEMENTS}`));
        const { status } = await runBesideHello(bytes, manifest("table-grower"), { domain });
        expect(faultOf(status).kind).to.equal(kind);
      });
    }
  });

  describe("memory growth", () => {
    for (const domain of DOMAINS) {
      it(`stops memory growth at the default ${DEFAULT_USER_MEMORY_PAGES} pages in the ${domain} domain, and the module reports it by its exit code`, async () => {
        const bytes = await assembleWat(memoryGrower("1 4096"));
        const { status } = await runBesideHello(bytes, manifest("memory-grower"), { domain });
        expect(status).to.deep.equal({ kind: "exited", code: DEFAULT_USER_MEMORY_PAGES });
      });

      it(`stops memory growth at the manifest's 16 pages in the ${domain} domain`, async () => {
        const bytes = await assembleWat(memoryGrower("1 16"));
        const { status } = await runBesideHello(bytes, manifest("memory-grower", { memoryPages: 16 }), { domain });
        expect(status).to.deep.equal({ kind: "exited", code: 16 });
      });

      it(`stops memory growth at 2 pages for a principal whose policy lowers memoryPages to 2, in the ${domain} domain`, async () => {
        const bytes = await assembleWat(memoryGrower("1 4096"));
        const { status } = await runBesideHello(bytes, manifest("memory-grower"), { domain, policy: SMALL_POLICY, principal: "small" });
        expect(status).to.deep.equal({ kind: "exited", code: 2 });
      });
    }

    it("stops memory growth on a memory without a maximum at the default limit (unverified: user domain only)", async () => {
      const bytes = await assembleWat(memoryGrower("1"));
      const { status } = await runBesideHello(bytes, manifest("memory-grower"), { domain: "user" });
      expect(status).to.deep.equal({ kind: "exited", code: DEFAULT_USER_MEMORY_PAGES });
    });

    for (const domain of DOMAINS) {
      it(`ends a process whose growth fails at its principal's 2 pages with at most ${MEMORY_MARGIN_PAGES} pages over them, in the ${domain} domain`, async () => {
        const bytes = await assembleWat(growingWriter("1 4096"));
        let pages: number | undefined;
        const { run, status } = await runBesideHello(bytes, manifest("growing-writer"), {
          domain, policy: SMALL_POLICY, principal: "small",
          inspect: (process) => { if (domain === "user") pages = userDomainMemoryPages(process); },
        });
        expect(faultOf(status)).to.include({ kind: "trap", message: "unreachable" });
        // It wrote from every page it gained, so the kernel saw each: one page gained, one "hi".
        expect(run.stdout).to.equal("hi");
        // A user domain's stats say how much memory the kernel saw; in the kernel domain the
        // module's own memory.size (which it wrote from) is the same number.
        if (domain === "user") expect(pages).to.be.at.most(2 + MEMORY_MARGIN_PAGES).and.to.equal(2);
      });
    }

    it("bounds a shared memory with a maximum of 65536 pages to the default limit, and maps every page it grows (unverified: user domain only)", async () => {
      const bytes = await assembleWat(growingWriter("1 65536 shared"));
      let pages = -1;
      const { run, status } = await runBesideHello(bytes, manifest("shared-grower"), {
        domain: "user", inspect: (process) => { pages = userDomainMemoryPages(process); },
      });
      expect(faultOf(status)).to.include({ kind: "trap", message: "unreachable" });
      // A shared memory's buffer is not detached by growth: the kernel must still see the new pages.
      expect(pages).to.equal(DEFAULT_USER_MEMORY_PAGES);
      expect(run.stdout).to.equal("hi".repeat(DEFAULT_USER_MEMORY_PAGES - 1));
    });

    it("refuses a shared memory in the kernel domain before any process exists: the verifier refuses shared memory in-kernel", async () => {
      const kernel = hostileKernel();
      try {
        const image = kernel.load(await assembleWat(memoryGrower("1 65536 shared")), { manifest: manifest("shared-grower") });
        expect(image.verified).to.equal(false);
        expect(() => kernel.spawn(image, { domain: "kernel" })).to.throw(LinkError, /not verified/);
        expect(kernel.processes.count).to.equal(0);
        expect(liveDomainsOf(kernel)).to.equal(0);
      } finally {
        await kernel.shutdown();
      }
    });
  });

  describe("minimums over the limits", () => {
    for (const domain of DOMAINS) {
      it(`ends a process whose memory needs 300 pages at start as out-of-memory in the ${domain} domain`, async () => {
        const bytes = await assembleWat(withMemory(conformantModule("", "(memory.size)"), "300 4096"));
        const { status } = await runBesideHello(bytes, manifest("big-memory"), { domain });
        expect(faultOf(status)).to.deep.equal({ kind: "out-of-memory", message: `big-memory: memory 0 needs 300 pages at start (limit ${DEFAULT_USER_MEMORY_PAGES})` });
      });

      it(`ends a process whose table needs 50 elements at start, over its principal's 10, as out-of-memory in the ${domain} domain`, async () => {
        const bytes = await assembleWat(conformantModule("", "(table.size $t)", "(table $t 50 100 funcref)"));
        const { status } = await runBesideHello(bytes, manifest("big-table"), { domain, policy: SMALL_POLICY, principal: "small" });
        expect(faultOf(status)).to.deep.equal({ kind: "out-of-memory", message: "big-table: tables need 50 elements at start (limit 10)" });
      });
    }

    it(`ends a process whose table needs 200000 elements at start as out-of-memory (unverified: user domain only)`, async () => {
      const bytes = await assembleWat(conformantModule("", "(table.size $t)", "(table $t 200000 funcref)"));
      const { status } = await runBesideHello(bytes, manifest("big-table"), { domain: "user" });
      expect(faultOf(status)).to.deep.equal({ kind: "out-of-memory", message: `big-table: tables need 200000 elements at start (limit ${CEILING_TABLE_ELEMENTS})` });
    });
  });

  describe("manifests asking for more than the ceiling", () => {
    const refusals: readonly { name: string; limits: NonNullable<Manifest["limits"]>; limit: string; asked: number; ceiling: number; principal?: string }[] = [
      { name: "memoryPages 65536", limits: { memoryPages: 65536 }, limit: "memoryPages", asked: 65536, ceiling: 4096 },
      { name: "cpuMilliseconds 2^53 - 1", limits: { cpuMilliseconds: 2 ** 53 - 1 }, limit: "cpuMilliseconds", asked: 2 ** 53 - 1, ceiling: 60_000 },
      { name: "fuelPerEntry one over the kernel's ceiling", limits: { fuelPerEntry: 10_000_000_001 }, limit: "fuelPerEntry", asked: 10_000_000_001, ceiling: 10_000_000_000 },
      { name: "fuelPerEntry over a ceiling the policy lowered", limits: { fuelPerEntry: 5_000_001 }, limit: "fuelPerEntry", asked: 5_000_001, ceiling: 5_000_000, principal: "small" },
      { name: "memoryPages over a ceiling the policy lowered", limits: { memoryPages: 3 }, limit: "memoryPages", asked: 3, ceiling: 2, principal: "small" },
    ];

    for (const row of refusals) {
      for (const domain of DOMAINS) {
        it(`refuses a manifest asking for ${row.name} before any process exists, naming the limit (${domain} domain asked)`, async () => {
          const kernel = hostileKernel(SMALL_POLICY);
          try {
            const principal = row.principal ? principalFromPolicy(SMALL_POLICY, row.principal) : undefined;
            const image = kernel.load(await assembleWat(memoryGrower("1 2")), { manifest: { ...fixtureManifest("greedy", ["console"]), limits: row.limits } });
            let refusal: unknown;
            try {
              kernel.spawn(image, { domain, principal });
            } catch (error) {
              refusal = error;
            }
            expect(refusal).to.be.instanceOf(LimitRefusal);
            expect(refusal).to.include({ limit: row.limit, asked: row.asked, ceiling: row.ceiling, rule: "limit-exceeded" });
            expect((refusal as Error).message).to.contain(`asks for ${row.limit} ${row.asked}, over the ceiling of ${row.ceiling}`);
            expect(kernel.processes.count, "no process was made").to.equal(0);
            expect(liveDomainsOf(kernel), "no domain was started").to.equal(0);
            await expectHelloRuns(kernel, domain);
          } finally {
            await kernel.shutdown();
          }
        });
      }
    }

    it("refuses a manifest asking for cpuMilliseconds 2^53 when the module is loaded: not a whole number the kernel can hold", async () => {
      const kernel = hostileKernel();
      try {
        let refusal: unknown;
        try {
          kernel.load(await assembleWat(memoryGrower("1 2")), { manifest: { ...fixtureManifest("greedy"), limits: { cpuMilliseconds: 2 ** 53 } } });
        } catch (error) {
          refusal = error;
        }
        expect(refusal).to.be.instanceOf(LoadError);
        expect((refusal as LoadError).reasons.join("\n")).to.contain("limit 'cpuMilliseconds' must be a positive integer");
        expect(kernel.processes.count).to.equal(0);
        await expectHelloRuns(kernel, "user");
      } finally {
        await kernel.shutdown();
      }
    });
  });
});

/** The kernel that refused still runs a healthy app normally. */
async function expectHelloRuns(kernel: ReturnType<typeof hostileKernel>, domain: Domain): Promise<void> {
  const hello = kernel.load(appBytes("hello"), {});
  const run = await spawnCaptured(kernel, hello, { domain, args: ["after", "a", "refusal"] }).done;
  expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
  expect(run.stdout).to.equal(helloOutput(["after", "a", "refusal"]));
  expect(kernel.processes.count).to.equal(0);
  expect(liveDomainsOf(kernel)).to.equal(0);
}
