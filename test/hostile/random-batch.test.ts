// Hostile random fills and batches: a fill of size 0, one past a copy's bound, a block twice that bound;
// batch entries with forged call numbers, nested submits, arguments at
// 2^64 − 1 and chains from failed entries. Each entry gets its own code, the batch goes on, and
// the process's exchange bytes come back when it ends.
import { expect } from "chai";
import { MAX_BLOCK_COPY_BYTES } from "../../kernel/params.js";
import { ErrorCode, Syscall } from "../../runtime/abi/index.js";
import { entry, linked, narrowEntry, ring, statusesOf } from "../helpers/batch-ring.js";
import { callingProcess, closeSocketKernels, socketKernel } from "../helpers/socket-kernel.js";

const ALL_ONES = 2n ** 64n - 1n;

describe("hostile/random and batch", function () {
  this.timeout(30_000);
  afterEach(closeSocketKernels);

  it("random.fill of 0 bytes fills nothing, past one copy's bound is invalidArgument, and a block twice that bound is filled in two copies; its bytes come back when the process ends", () => {
    const caller = callingProcess(socketKernel());
    const block = caller.block(MAX_BLOCK_COPY_BYTES * 2);
    expect(caller.call("random.fill", block, MAX_BLOCK_COPY_BYTES * 2, 0)).to.equal(0);
    expect(caller.call("random.fill", block, 0, MAX_BLOCK_COPY_BYTES + 1)).to.equal(-ErrorCode.invalidArgument);
    expect(caller.call("random.fill", block, MAX_BLOCK_COPY_BYTES, MAX_BLOCK_COPY_BYTES)).to.equal(MAX_BLOCK_COPY_BYTES);
    expect(caller.call("random.fill", block, 2 ** 32 - 1, 1)).to.equal(-ErrorCode.invalidArgument);
    const account = caller.process.exchange;
    expect(account.bytes).to.equal(MAX_BLOCK_COPY_BYTES * 2);
    caller.end();
    expect(account.bytes).to.equal(0);
  });

  for (const domain of ["kernel", "user"] as const) {
    it(`runs a batch of forged call numbers, a nested submit, all-ones arguments and a chain from a failed entry entry by entry (${domain} domain)`, () => {
      const caller = callingProcess(socketKernel(), { domain });
      const block = caller.block(16);
      const entries = ring(
        entry(0xffff),
        entry(Syscall.batchSubmit, 0n, 1n),
        entry(Syscall.randomFill, ALL_ONES, 0n, 8n),
        entry(Syscall.blocksCreate, ALL_ONES),
        entry(linked(Syscall.randomFill), BigInt(block), 0n, 8n),
        entry(Syscall.randomFill, BigInt(block), 0n, 8n),
        narrowEntry(Syscall.socketsReceive, Number(ALL_ONES & 0xffffffffn), block, 0, 8),
      );
      expect(caller.call("batch.submit", entries, 7)).to.equal(7);
      expect(statusesOf(entries)).to.deep.equal([-ErrorCode.notImplemented, -ErrorCode.invalidArgument, 0, 0, -ErrorCode.canceled, 0, 0]);
      const results = new DataView(entries.buffer);
      const resultOf = (index: number) => Number(results.getBigInt64(index * 40 + 32, true));
      expect([resultOf(2), resultOf(3), resultOf(5), resultOf(6)]).to.deep.equal([-ErrorCode.badHandle, -ErrorCode.invalidArgument, 8, -ErrorCode.badHandle]);
      expect(caller.process.exchange.bytes, "no block made by the all-ones size").to.equal(16);
      caller.end();
    });
  }
});
