// Conformance of the AssemblyScript runtime's Batches.withNextWait: calls a handler queues run
// after it returns and before the next event, and their registration hears what they answered,
// with the same output in both domains. In a user domain they go with the serve loop's next
// wait (batch.submit-and-wait); in the kernel domain at the end of the delivery (batch.submit).
import { expect } from "chai";
import type { Manifest } from "../../runtime/abi/index.js";
import { RUNTIME_IMPORT, compileAssemblyScriptSource } from "../../runtime/toolchain/compile-source.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";

const BLOCK_BYTES = 48;

/**
 * main queues a blocks.size (it goes with the first delivery, which the runtime asks for); a
 * timer's handler queues one on a forged handle; that one's callback queues a third, which runs
 * before the process, with nothing left to wake it, ends.
 */
const APP = `
import { Batch, Batches, Blocks, Console, Registration, Timer } from "${RUNTIME_IMPORT}";
import { SIZE_CALL } from "${RUNTIME_IMPORT}/bindings/blocks.generated";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let block: u32 = 0;

class Step extends Registration {
  constructor(readonly name: string) { super(); }

  completed(batch: Batch, first: i32): void {
    Console.log(this.name + ": ran, status " + batch.status(first).toString() + " result " + batch.result(first).toString());
    if (this.name == "timer") queueSize(new Step("chained"), block);
  }
}

function queueSize(step: Step, handle: u32): void {
  Batches.withNextWait(step, 1).add(SIZE_CALL, handle);
  Console.log(step.name + ": queued");
}

function onTimer(timer: Timer): void {
  queueSize(new Step("timer"), 999);
}

export function main(): i32 {
  block = <u32>Blocks.create(${BLOCK_BYTES});
  queueSize(new Step("main"), block);
  Timer.after(5, onTimer);
  return 0;
}
`;

/** More calls than a queue holds (64 entries): the first 64 run at once when the 65th is queued, the rest later. */
const QUEUED = 70;
const FULL_QUEUE_APP = `
import { Batch, Batches, Blocks, Console, Registration } from "${RUNTIME_IMPORT}";
import { SIZE_CALL } from "${RUNTIME_IMPORT}/bindings/blocks.generated";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let ran = 0;

class Counted extends Registration {
  completed(batch: Batch, first: i32): void {
    if (batch.status(first) == 0 && batch.result(first) == ${BLOCK_BYTES}) ran++;
    if (ran == ${QUEUED}) Console.log("all ran: " + ran.toString());
  }
}

export function main(): i32 {
  const block = <u32>Blocks.create(${BLOCK_BYTES});
  for (let index = 0; index < ${QUEUED}; index++) Batches.withNextWait(new Counted(), 1).add(SIZE_CALL, block);
  Console.log("ran before main returned: " + ran.toString());
  return 0;
}
`;

const manifest: Manifest = { name: "queued-calls", capabilities: ["console", "clock"], entryPoints: { main: {} } };

describe("runtime/queued calls (Batches.withNextWait)", function () {
  this.timeout(60_000);
  let binary: Uint8Array<ArrayBuffer>;
  let fullQueueBinary: Uint8Array<ArrayBuffer>;

  before(async () => {
    binary = await compileAssemblyScriptSource("queued-calls", APP);
    fullQueueBinary = await compileAssemblyScriptSource("queued-calls-full", FULL_QUEUE_APP);
  });

  for (const domain of ["kernel", "user"] as const) {
    it(`runs queued calls after their handler and before the next event, and calls their registration back (${domain} domain)`, async () => {
      const kernel = testKernel();
      try {
        const run = await runCaptured(kernel, kernel.load(binary, { manifest }), { domain });
        expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.stdout).to.equal([
          "main: queued",
          `main: ran, status 0 result ${BLOCK_BYTES}`,
          "timer: queued",
          "timer: ran, status 0 result -9",
          "chained: queued",
          `chained: ran, status 0 result ${BLOCK_BYTES}`,
        ].map((line) => `${line}\n`).join(""));
        if (domain === "user") {
          const traps = run.process.userDomain!.stats().trapsByCall;
          // Each queue went with a wait: none needed a crossing of its own.
          expect(traps["batch.submit-and-wait"]).to.equal(3);
          expect(traps["batch.submit"]).to.equal(undefined);
        }
      } finally {
        await kernel.shutdown();
      }
    });
  }

  for (const domain of ["kernel", "user"] as const) {
    it(`runs a full queue at once when one more call is queued, and the rest later (${domain} domain)`, async () => {
      const kernel = testKernel();
      try {
        const run = await runCaptured(kernel, kernel.load(fullQueueBinary, { manifest }), { domain });
        expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(run.stdout).to.equal(`ran before main returned: 64\nall ran: ${QUEUED}\n`);
      } finally {
        await kernel.shutdown();
      }
    });
  }
});
