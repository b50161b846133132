// Conformance: limits are the kernel's. The system policy sets each principal's ceilings, a
// manifest may ask for less and never more, and what docs/limits.md states is what the code does.
import { expect } from "chai";
import {
  KERNEL_CEILINGS, LimitRefusal, LoadError, PolicyError, parseSystemPolicy, principalFromPolicy, principalHolding,
} from "../../kernel/index.js";
import type { Manifest } from "../../runtime/abi/index.js";
import { DEFAULT_USER_CPU_MILLISECONDS, DEFAULT_USER_MEMORY_PAGES } from "../../kernel/params.js";
import { moduleLimits } from "../../kernel/policy/limits.js";
import { appBytes, readProjectFile, runCaptured, testKernel } from "../helpers/kernel.js";

const helloManifest = (limits: Manifest["limits"], entryFuel?: number): Manifest => ({
  name: "hello", capabilities: ["console"], entryPoints: { main: { mode: "callers", ...(entryFuel ? { fuel: entryFuel } : {}) } }, limits,
});

const SELF_GRANTS: { name: string; limits: Manifest["limits"]; entryFuel?: number; limit: string }[] = [
  { name: "4 GiB of memory", limits: { memoryPages: 65536 }, limit: "memoryPages" },
  { name: "a CPU budget of 2^40 ms", limits: { cpuMilliseconds: 2 ** 40 }, limit: "cpuMilliseconds" },
  { name: "a CPU budget past the timer's range", limits: { cpuMilliseconds: 2 ** 31 }, limit: "cpuMilliseconds" },
  { name: "more fuel per entry than the ceiling", limits: { fuelPerEntry: KERNEL_CEILINGS.fuelPerEntry + 1 }, limit: "fuelPerEntry" },
  { name: "more fuel for one entry than the ceiling", limits: {}, entryFuel: KERNEL_CEILINGS.fuelPerEntry * 2, limit: "fuelPerEntry" },
];

describe("kernel/limits", function () {
  this.timeout(30000);

  for (const row of SELF_GRANTS) {
    it(`refuses a manifest that grants itself ${row.name}, naming the limit, before any process exists`, () => {
      const kernel = testKernel();
      const image = kernel.load(appBytes("hello"), { manifest: helloManifest(row.limits, row.entryFuel) });
      for (const domain of ["kernel", "user"] as const) {
        let refusal: unknown;
        try {
          kernel.spawn(image, { domain });
        } catch (error) {
          refusal = error;
        }
        expect(refusal, domain).to.be.instanceOf(LimitRefusal).with.property("limit", row.limit);
        expect((refusal as LimitRefusal).message).to.match(new RegExp(`manifest asks for ${row.limit} \\d+, over the ceiling of \\d+ for principal 'user'`));
        expect((refusal as LimitRefusal).errorCode).to.equal(12);
      }
      expect(kernel.processes.count).to.equal(0);
    });
  }

  it("refuses at load a manifest whose limit is not a safe whole number (2^53 ms)", () => {
    const kernel = testKernel();
    expect(() => kernel.load(appBytes("hello"), { manifest: helloManifest({ cpuMilliseconds: 2 ** 53 }) })).to.throw(LoadError, /invalid manifest: limit 'cpuMilliseconds' must be a positive integer/);
  });

  it("lets a policy lower a principal's ceilings, and refuses a manifest over them that the default allows", () => {
    const policy = parseSystemPolicy({ version: 1, defaultPrincipal: "small", principals: { small: { capabilities: ["kernelModeByPage"], limits: { memoryPages: 8 } } } });
    const small = principalFromPolicy(policy);
    expect(small.limits).to.deep.equal({ ...KERNEL_CEILINGS, memoryPages: 8 });
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"), { manifest: helloManifest({ memoryPages: 16 }) });
    expect(() => kernel.spawn(image, { principal: small })).to.throw(LimitRefusal, /memoryPages 16, over the ceiling of 8 for principal 'small'/);
  });

  const BAD_POLICY_LIMITS: { name: string; limits: unknown; message: RegExp }[] = [
    { name: "an unknown limit", limits: { threads: 5 }, message: /unknown limit .threads./ },
    { name: "a limit of zero", limits: { memoryPages: 0 }, message: /'memoryPages' must be a whole number from 1 to 65536/ },
    { name: "a fractional limit", limits: { fuelPerEntry: 1.5 }, message: /'fuelPerEntry' must be a whole number/ },
    { name: "a CPU budget past the timer's range", limits: { cpuMilliseconds: 2 ** 31 }, message: /'cpuMilliseconds' must be a whole number from 1 to 2147483647/ },
    { name: "limits that are not an object", limits: [1], message: /'limits' must be an object/ },
  ];
  for (const row of BAD_POLICY_LIMITS) {
    it(`refuses a system policy with ${row.name}`, () => {
      const policy = { version: 1, defaultPrincipal: "p", principals: { p: { capabilities: [], limits: row.limits } } };
      expect(() => parseSystemPolicy(policy)).to.throw(PolicyError, row.message);
    });
  }

  it("gives a silent manifest the kernel's defaults, and a manifest asking for less what it asked for", () => {
    expect(moduleLimits({ name: "quiet" }, KERNEL_CEILINGS)).to.include({ memoryPages: DEFAULT_USER_MEMORY_PAGES, cpuMilliseconds: DEFAULT_USER_CPU_MILLISECONDS });
    expect(moduleLimits({ name: "modest", limits: { memoryPages: 3, cpuMilliseconds: 40 } }, KERNEL_CEILINGS)).to.include({ memoryPages: 3, cpuMilliseconds: 40 });
    expect(moduleLimits({ name: "quiet" }, { ...KERNEL_CEILINGS, memoryPages: 2 })).to.include({ memoryPages: 2 });
  });

  it("runs an app within a principal's lowered ceilings in both domains", async () => {
    const kernel = testKernel();
    const principal = principalHolding("small", ["kernelModeByPage"], { memoryPages: 4, fuelPerEntry: 10_000_000 });
    const image = kernel.load(appBytes("hello"));
    for (const domain of ["kernel", "user"] as const) {
      const run = await runCaptured(kernel, image, { domain, principal, args: [domain] });
      expect(run.stdout).to.equal(`Hello from Singlet!\nargs: ${domain}\n`);
    }
    await kernel.shutdown();
  });

  it("holds a principal to its handle ceiling: an app asking for more capabilities than that cannot start", () => {
    const kernel = testKernel();
    const principal = principalHolding("few-handles", ["kernelModeByPage"], { handles: 1 });
    const image = kernel.load(appBytes("hello"), { manifest: { ...helloManifest(undefined), capabilities: ["console", "clock"] } });
    expect(() => kernel.spawn(image, { principal })).to.throw(/capability table full \(limit 1\)/);
    expect(kernel.processes.count).to.equal(0);
  });

  it("holds a principal to its process ceiling while others keep spawning", async () => {
    const kernel = testKernel();
    const principal = principalHolding("two-at-a-time", ["kernelModeByPage"], { processes: 2 });
    const image = kernel.load(appBytes("hello"));
    const running = [0, 1].map(() => kernel.spawn(image, { principal, output: () => undefined }));
    expect(() => kernel.spawn(image, { principal })).to.throw(/too many processes for principal 'two-at-a-time' \(limit 2\)/);
    const other = kernel.spawn(image, { output: () => undefined });
    await Promise.all([...running, other].map((process) => process.completion));
    await runCaptured(kernel, image, { principal });
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });

  it("gives each process of a principal an output queue of the principal's outputUnits ceiling", async () => {
    const kernel = testKernel();
    const principal = principalHolding("quiet", ["kernelModeByPage"], { outputUnits: 100 });
    const limited = kernel.spawn(kernel.load(appBytes("hello")), { principal, output: () => 0 });
    expect(limited.output.limit).to.equal(100);
    expect(limited.output.offer("stdout", "x".repeat(250))).to.equal(100);
    const unlimited = kernel.spawn(kernel.load(appBytes("hello")), { output: () => undefined });
    expect(unlimited.output.limit).to.equal(KERNEL_CEILINGS.outputUnits);
    await Promise.all([limited.completion, unlimited.completion]);
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });

  it("states in docs/limits.md the ceilings and defaults the kernel uses", () => {
    const page = readProjectFile("docs/limits.md");
    expect(page).to.contain(`| \`memoryPages\` | ${KERNEL_CEILINGS.memoryPages} (256 MiB) | ${DEFAULT_USER_MEMORY_PAGES} (16 MiB) |`);
    expect(page).to.contain(`| \`tableElements\` | ${KERNEL_CEILINGS.tableElements.toLocaleString("en").replace(",", " ")} |`);
    expect(page).to.contain(`| \`cpuMilliseconds\` | ${KERNEL_CEILINGS.cpuMilliseconds.toLocaleString("en").replace(",", " ")} | ${DEFAULT_USER_CPU_MILLISECONDS} |`);
    expect(KERNEL_CEILINGS.fuelPerEntry).to.equal(1e10);
    expect(page).to.contain("| `fuelPerEntry` | 10¹⁰ |");
    expect(page).to.contain(`| \`handles\` | ${KERNEL_CEILINGS.handles} |`);
    expect(page).to.contain(`| \`processes\` | ${KERNEL_CEILINGS.processes} |`);
    expect(page).to.contain(`| \`outputUnits\` | ${KERNEL_CEILINGS.outputUnits} |`);
    expect(page).to.contain(`| \`eventSources\` | ${KERNEL_CEILINGS.eventSources} |`);
    expect(page).to.contain(`| \`exchangeBytes\` | ${KERNEL_CEILINGS.exchangeBytes} (64 MiB) |`);
  });
});
