// Charged kernel work: a kernel call that copies data charges the caller's fuel for the copy
// (KERNEL_CALL_FUEL + bytes / KERNEL_BYTES_PER_FUEL), so a verified app looping on large calls
// ends within its budget instead of holding the kernel for minutes.
import { expect } from "chai";
import type { ExitStatus } from "../../kernel/index.js";
import { KERNEL_BYTES_PER_FUEL, KERNEL_CALL_FUEL } from "../../kernel/params.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const CONSOLE = "singlet:kernel/console@0.1.0";
const PROCESS = "singlet:kernel/process@0.1.0";
const BUDGET = 1_000_000;
const UNITS = 64 * 1024;

/** Fuel one call copying `bytes` bytes is charged, besides the instructions around it. */
function chargePerCall(bytes: number): number {
  return Math.ceil(KERNEL_CALL_FUEL + bytes / KERNEL_BYTES_PER_FUEL);
}

/** Writes the same `UNITS`-unit string forever. */
function endlessWriter(): string {
  return conformantModule(`(import "${CONSOLE}" "write" (func $write (param i32 i32) (result i32)))`,
    `(loop $forever (drop (call $write (i32.const 8192) (i32.const ${UNITS}))) (br $forever)) (i32.const 0)`)
    .replace(`(memory (export "memory") 1 4)`, `(memory (export "memory") 4 4)`);
}

/** Asks for argument 0 forever: each answer is copied into its memory through cabi_realloc (which resets, so memory does not run out). */
function endlessArgumentReader(): string {
  return `(module
  (import "${PROCESS}" "arg-get" (func $argGet (param i32 i32)))
  (memory (export "memory") 4 4)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
  (func (export "main") (result i32)
    (loop $forever (call $argGet (i32.const 0) (i32.const 16)) (br $forever))
    (i32.const 0)))`;
}

async function spawnCounting(wat: string, domain: "kernel" | "user", args: string[] = []): Promise<{ status: ExitStatus; unitsWritten: number; handles: number; processes: number; bystander: ExitStatus }> {
  const kernel = testKernel();
  const image = kernel.load(await assembleWat(wat), { manifest: { ...fixtureManifest("heavy", ["console"]), limits: { fuelPerEntry: BUDGET, cpuMilliseconds: 300 } } });
  expect(image.verified).to.equal(true);
  let unitsWritten = 0;
  // Counts instead of keeping the text: the point is how much the kernel did.
  const process = kernel.spawn(image, { domain, args, output: (_stream, text) => { unitsWritten += text.length; } });
  const bystanderImage = kernel.load(await assembleWat(conformantModule("", "(i32.const 6)")), { manifest: fixtureManifest("bystander") });
  const bystander = (await runCaptured(kernel, bystanderImage, { domain })).status;
  const status = await process.completion;
  const result = { status, unitsWritten, handles: process.capabilities.size, processes: kernel.processes.count, bystander };
  await kernel.shutdown();
  return result;
}

describe("hostile/kernel work", function () {
  this.timeout(60000);

  it("ends an in-kernel loop of large console.write calls with fuel-exhausted within its budget", async () => {
    const run = await spawnCounting(endlessWriter(), "kernel");
    expect(run.status).to.deep.include({ kind: "faulted" });
    expect(run.status.kind === "faulted" && run.status.fault.kind).to.equal("fuel-exhausted");
    const writes = run.unitsWritten / UNITS;
    expect(Number.isInteger(writes), "a call that runs out of fuel writes nothing").to.equal(true);
    expect(writes).to.be.at.least(1);
    expect(writes).to.be.at.most(Math.floor(BUDGET / chargePerCall(UNITS * 2)));
    expect(run.bystander).to.deep.equal({ kind: "exited", code: 6 });
    expect(run.handles).to.equal(0);
    expect(run.processes).to.equal(0);
  });

  it("charges for a result the kernel copies in: an in-kernel loop of process.arg-get of a large argument ends within its budget", async () => {
    const argument = "a".repeat(UNITS - 1);
    const run = await spawnCounting(endlessArgumentReader(), "kernel", [argument]);
    expect(run.status.kind === "faulted" && run.status.fault.kind).to.equal("fuel-exhausted");
    expect(run.status.kind === "faulted" && run.status.fault.message).to.match(/fuel budget of 1000000/);
    expect(run.bystander).to.deep.equal({ kind: "exited", code: 6 });
  });

  it("bounds the same loop in a user domain by its CPU budget, where no fuel is attached", async () => {
    const run = await spawnCounting(endlessWriter(), "user");
    expect(run.status.kind === "faulted" && run.status.fault.kind).to.equal("cpu-budget");
    expect(run.bystander).to.deep.equal({ kind: "exited", code: 6 });
    expect(run.handles).to.equal(0);
    expect(run.processes).to.equal(0);
  });
});
