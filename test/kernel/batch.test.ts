// Conformance of batched kernel calls: many scalar calls queued in a ring cross once.
import { resolve as resolvePath } from "node:path";
import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AbiValue } from "../../hal/hil/index.js";
import { serviceBatch, submitBatchInMemory } from "../../kernel/services/batch-ring.js";
import { BATCH_ENTRY_BYTES, ErrorCode, Syscall } from "../../runtime/abi/index.js";
import { entry, linked, narrowEntry, resultOf, ring, statusesOf, statusOf } from "../helpers/batch-ring.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** An app built on the runtime's Batch wrapper, compiled by asc into dist/ (never committed). */
const BATCH_APP_SOURCE = `
import { Batch } from "../../../../../runtime/assembly/batch";
import { Console } from "../../../../../runtime/assembly/index";
export { cabi_realloc } from "../../../../../runtime/assembly/index";

export function main(): i32 {
  const batch = new Batch(8);
  batch.add(${Syscall.processId});
  batch.add(${Syscall.processArgCount});
  batch.add(${Syscall.clockNow});
  batch.add(${Syscall.consoleWrite});
  batch.add(999);
  batch.add(${Syscall.capabilitiesRestrict}, 5, 1);
  const completed = batch.submit();
  Console.log("completed " + completed.toString() + " id " + batch.result(0).toString() + " count " + batch.result(1).toString()
    + " now " + batch.result(2).toString() + " status " + batch.status(3).toString() + " " + batch.status(4).toString()
    + " restrict " + batch.result(5).toString());
  return 0;
}
`;

async function buildBatchApp(): Promise<Uint8Array<ArrayBuffer>> {
  const directory = `${projectRoot}dist/test/kernel/fixtures/batch-app`;
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}/main.ts`, BATCH_APP_SOURCE);
  const { default: asc } = await import("assemblyscript/asc");
  const output: string[] = [];
  const stream = { write(text: string | Uint8Array) { output.push(String(text)); return true; } };
  const result = await asc.main([
    `${directory}/main.ts`, "--outFile", `${directory}/batch-app.wasm`, "--runtime", "incremental",
    "--use", "abort=runtime/assembly/index/kernelAbort", "--debug", "--optimizeLevel", "1",
    // Absolute, so asc resolves the root config's transform path against the project root.
    "--config", resolvePath("asconfig.json"),
  ], { stdout: stream, stderr: stream });
  if (result.error) throw new Error(`asc failed: ${output.join("")}`);
  return new Uint8Array(readFileSync(`${directory}/batch-app.wasm`));
}

describe("kernel batched calls", () => {
  it("services each entry through the dispatcher and writes status and result back", () => {
    const seen: [number, readonly AbiValue[]][] = [];
    const entries = ring(entry(Syscall.capabilitiesRestrict, 3n, 0xffff_ffffn), entry(Syscall.clockNow));
    const result = serviceBatch(entries, 2, (syscallNumber, args) => {
      seen.push([syscallNumber, args]);
      return { kind: "return", value: syscallNumber === Syscall.clockNow ? 2n ** 40n : 11 };
    });
    expect(result).to.deep.equal({ completed: 2 });
    expect(seen).to.deep.equal([[Syscall.capabilitiesRestrict, [3, 0xffff_ffff]], [Syscall.clockNow, []]]);
    expect([statusOf(entries, 0), resultOf(entries, 0), statusOf(entries, 1), resultOf(entries, 1)]).to.deep.equal([0, 11n, 0, 2n ** 40n]);
  });

  it("refuses calls that carry strings, unknown calls and nested batches without stopping", () => {
    const entries = ring(entry(Syscall.consoleWrite), entry(4242), entry(Syscall.batchSubmit), entry(Syscall.processId));
    const result = serviceBatch(entries, 4, () => ({ kind: "return", value: 9 }));
    expect(result.completed).to.equal(4);
    expect([0, 1, 2, 3].map((index) => statusOf(entries, index))).to.deep.equal([
      -ErrorCode.invalidArgument, -ErrorCode.notImplemented, -ErrorCode.invalidArgument, 0,
    ]);
  });

  it("stops at an entry that ends the process and reports that outcome", () => {
    const entries = ring(entry(Syscall.processId), entry(Syscall.processExit, 4n), entry(Syscall.processId));
    const calls: number[] = [];
    const result = serviceBatch(entries, 3, (syscallNumber, args) => {
      calls.push(syscallNumber);
      return syscallNumber === Syscall.processExit ? { kind: "exit", code: args[0] as number } : { kind: "return", value: 1 };
    });
    expect(result).to.deep.equal({ completed: 1, stoppedBy: { kind: "exit", code: 4 } });
    expect(calls).to.deep.equal([Syscall.processId, Syscall.processExit]);
  });

  it("runs a linked entry with the previous entry's positive result as the argument it names, in a wide slot and in a narrow one", () => {
    const seen: [number, readonly AbiValue[]][] = [];
    const entries = ring(
      entry(Syscall.processId),
      entry(linked(Syscall.capabilitiesRestrict, 1), 7n, 0n),
      narrowEntry(linked(Syscall.socketsSendBlock, 3), 4, 5, 6, 0),
      entry(linked(Syscall.processId)),
    );
    const result = serviceBatch(entries, 4, (syscallNumber, args) => {
      seen.push([syscallNumber, args]);
      return { kind: "return", value: syscallNumber === Syscall.processId ? 2n ** 33n : 12 };
    });
    expect(result).to.deep.equal({ completed: 4 });
    // restrict's rights are a u32: of the 64-bit result written into its slot it sees the low half, 0.
    expect(seen).to.deep.equal([
      [Syscall.processId, []], [Syscall.capabilitiesRestrict, [7, 0]], [Syscall.socketsSendBlock, [4, 5, 6, 12]], [Syscall.processId, []],
    ]);
    expect(statusesOf(entries)).to.deep.equal([0, 0, 0, 0]);
    expect(resultOf(entries, 3)).to.equal(2n ** 33n);
  });

  for (const [name, previous, dispatchResult] of [
    ["returned 0", entry(Syscall.processId), 0],
    ["returned a negated error", entry(Syscall.processId), -ErrorCode.badHandle],
    ["was refused (a call with a string)", entry(Syscall.consoleWrite), 5],
    ["was an unknown call", entry(4242), 5],
  ] as const) {
    it(`cancels a linked entry, and the chain after it, when the entry before it ${name}`, () => {
      const calls: number[] = [];
      const entries = ring(previous, entry(linked(Syscall.clockNow)), entry(linked(Syscall.timersCancel, 0), 1n), entry(Syscall.processArgCount));
      const result = serviceBatch(entries, 4, (syscallNumber) => {
        calls.push(syscallNumber);
        return { kind: "return", value: dispatchResult };
      });
      expect(result.completed).to.equal(4);
      expect(statusesOf(entries).slice(1)).to.deep.equal([-ErrorCode.canceled, -ErrorCode.canceled, 0]);
      expect(calls.filter((call) => call !== Syscall.processId)).to.deep.equal([Syscall.processArgCount]);
    });
  }

  it("refuses malformed call words as invalid arguments: reserved bits, a link on the first entry, a result argument the call lacks or without a link", () => {
    const entries = ring(
      entry(linked(Syscall.processId)),
      entry(Syscall.processId | 0x0001_0000),
      entry(linked(Syscall.processId, 0)),
      entry(Syscall.processId | (1 << 28)),
      entry(linked(Syscall.capabilitiesRestrict, 6), 1n, 1n),
      entry(Syscall.processId),
    );
    const result = serviceBatch(entries, 6, () => ({ kind: "return", value: 3 }));
    expect(result.completed).to.equal(6);
    expect(statusesOf(entries)).to.deep.equal([-ErrorCode.invalidArgument, -ErrorCode.invalidArgument, -ErrorCode.invalidArgument, -ErrorCode.invalidArgument, -ErrorCode.invalidArgument, 0]);
  });

  it("services entries in place in an in-kernel process's memory and refuses entries past its end", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).set(ring(entry(Syscall.processId), entry(Syscall.processExit, 2n)), 4096);
    const stops: unknown[] = [];
    const dispatch = (syscallNumber: number) => syscallNumber === Syscall.processExit ? { kind: "exit" as const, code: 2 } : { kind: "return" as const, value: 5 };
    expect(submitBatchInMemory(memory, 4096, 2, dispatch, (outcome) => stops.push(outcome))).to.equal(1);
    expect(stops).to.deep.equal([{ kind: "exit", code: 2 }]);
    expect(new DataView(memory.buffer).getBigInt64(4096 + 32, true)).to.equal(5n);
    expect(submitBatchInMemory(memory, 65536 - 20, 1, dispatch, () => {})).to.equal(-ErrorCode.badAddress);
    expect(submitBatchInMemory(memory, 0, 100_000, dispatch, () => {})).to.equal(-ErrorCode.invalidArgument);
  });

  it("runs an app's batch of calls with one crossing from a user domain, with the same results as in the kernel", async function () {
    this.timeout(60_000);
    const kernel = testKernel();
    const image = kernel.load(await buildBatchApp(), { manifest: { name: "batch", capabilities: ["console", "clock"], entryPoints: { main: {} } } });
    expect(image.verified).to.equal(true);
    const inKernel = await runCaptured(kernel, image, { args: ["a", "b"] });
    const inUser = await runCaptured(kernel, image, { args: ["a", "b"], domain: "user" });
    // restrict(5, 1) names no handle the process holds: -9, bad handle, in both domains.
    expect(inKernel.stdout).to.match(/^completed 6 id \d+ count 2 now \d+ status -22 -38 restrict -9\n$/);
    expect(inUser.stdout.replace(/id \d+/, "").replace(/now \d+/, "")).to.equal(inKernel.stdout.replace(/id \d+/, "").replace(/now \d+/, ""));
    expect(inUser.process.userDomain!.stats().trapsByCall).to.deep.equal({ "batch.submit": 1, "console.write": 1 });
    await kernel.shutdown();
  });

  it("refuses a ring shorter than its count says, as an invalid argument", async () => {
    const { batchSubmit } = await import("../../kernel/services/batch.js");
    expect(() => batchSubmit({} as never, new Uint8Array(BATCH_ENTRY_BYTES), 2)).to.throw(/2 entries in a ring of 40 bytes/);
  });
});
