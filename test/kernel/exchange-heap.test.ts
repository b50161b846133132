// The exchange heap: blocks owned by exactly one process through one handle, read and written by
// copy, counted against the owner's `exchangeBytes`, moved (never copied) between tables, and
// freed with their owner.
import { expect } from "chai";
import { CapabilityKind, CapabilityTable, NotPermittedError, Rights, BadHandleError, ResourceLimitError } from "../../kernel/index.js";
import { createBlock, blockOf, openExchangeAccount } from "../../kernel/exchange/index.js";
import { KERNEL_CEILINGS, Principal } from "../../kernel/policy/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const BLOCKS = "singlet:kernel/blocks@0.1.0";
const CAPABILITIES = "singlet:kernel/capabilities@0.1.0";
const IMPORTS = `
  (import "${BLOCKS}" "create" (func $create (param i32) (result i32)))
  (import "${BLOCKS}" "size" (func $size (param i32) (result i32)))
  (import "${BLOCKS}" "write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "${BLOCKS}" "read" (func $read (param i32 i32 i32 i32)))
  (import "${CAPABILITIES}" "restrict" (func $restrict (param i32 i32) (result i32)))
  (import "${CAPABILITIES}" "drop" (func $drop (param i32) (result i32)))`;
const HELLO = `(data (i32.const 100) "hello")`;

async function blockApp(body: string, exchangeBytes?: number) {
  const kernel = testKernel();
  let principal: Principal | undefined;
  if (exchangeBytes !== undefined) {
    principal = new Principal("small", { ...KERNEL_CEILINGS, exchangeBytes });
    principal.grant(CapabilityKind.kernelModeByPage);
  }
  const image = kernel.load(await assembleWat(conformantModule(IMPORTS, `(local $block i32) (local $result i32) ${body}`, HELLO)), { manifest: fixtureManifest("blocks") });
  return { kernel, image, principal };
}

describe("kernel/exchange heap", function () {
  this.timeout(30_000);

  for (const domain of ["kernel", "user"] as const) {
    it(`creates a zero-filled block, writes it and reads a copy back through the ABI in the ${domain} domain`, async () => {
      // main = bytes written * 100000 + bytes read * 1000 + the first byte read ('e' of "hello" at offset 1) + size check.
      const { kernel, image } = await blockApp(`
        (local.set $block (call $create (i32.const 64)))
        (local.set $result (i32.mul (call $write (local.get $block) (i32.const 0) (i32.const 100) (i32.const 5)) (i32.const 100000)))
        (call $read (local.get $block) (i32.const 1) (i32.const 4) (i32.const 16))
        (local.set $result (i32.add (local.get $result) (i32.mul (i32.load (i32.const 20)) (i32.const 1000))))
        (local.set $result (i32.add (local.get $result) (i32.load8_u (i32.load (i32.const 16)))))
        (call $read (local.get $block) (i32.const 60) (i32.const 4) (i32.const 16))
        (i32.add (local.get $result) (i32.add (i32.load (i32.load (i32.const 16))) (i32.ne (call $size (local.get $block)) (i32.const 64))))`);
      const run = await runCaptured(kernel, image, { domain });
      expect(run.status).to.deep.equal({ kind: "exited", code: 5 * 100000 + 4 * 1000 + "e".charCodeAt(0) });
      // Everything it owned went with it.
      expect(run.process.exchange.bytes).to.equal(0);
      expect(run.process.exchange.blocks).to.equal(0);
      expect(run.process.capabilities.size).to.equal(0);
      await kernel.shutdown();
    });

    it(`refuses with their codes, in the ${domain} domain: a zero or huge size, a write outside the block, a copy of the handle, the quota`, async () => {
      // One bit per refusal that answered its expected code, and one for the create that fits after the drop.
      const check = (bit: number, call: string, code: number) => `(local.set $result (i32.or (local.get $result) (i32.mul (i32.const ${1 << bit}) (i32.eq ${call} (i32.const -${code})))))`;
      const { kernel, image, principal } = await blockApp(`
        (local.set $block (call $create (i32.const 100)))
        ${check(0, "(call $create (i32.const 0))", ErrorCode.invalidArgument)}
        ${check(1, "(call $create (i32.const 0x1000001))", ErrorCode.invalidArgument)}
        ${check(2, "(call $write (local.get $block) (i32.const 98) (i32.const 100) (i32.const 5))", ErrorCode.invalidArgument)}
        ${check(3, "(call $restrict (local.get $block) (i32.const 1))", ErrorCode.notPermitted)}
        ;; 100 of the 150 bytes are taken: 60 more are refused, and fit again once the first block is dropped.
        ${check(4, "(call $create (i32.const 60))", ErrorCode.noMemory)}
        (drop (call $drop (local.get $block)))
        (i32.or (local.get $result) (i32.mul (i32.const 32) (i32.gt_s (call $create (i32.const 60)) (i32.const 0))))`, 150);
      const run = await runCaptured(kernel, image, { domain, principal });
      expect(run.status).to.deep.equal({ kind: "exited", code: 0b111111 });
      expect(run.process.exchange.bytes).to.equal(0);
      await kernel.shutdown();
    });

    it(`ends the process that reads outside its block, and only it, in the ${domain} domain`, async () => {
      const { kernel, image } = await blockApp(`
        (local.set $block (call $create (i32.const 8)))
        (call $read (local.get $block) (i32.const 4) (i32.const 8) (i32.const 16))
        (i32.const 0)`);
      const run = await runCaptured(kernel, image, { domain });
      expect(run.status.kind).to.equal("faulted");
      if (run.status.kind === "faulted") expect(run.status.fault.message).to.match(/blocks\.read: bytes 4\.\.12 are outside the block of 8/);
      expect(run.process.exchange.bytes).to.equal(0);
      expect(kernel.processes.count).to.equal(0);
      await kernel.shutdown();
    });
  }

  describe("moving a block between processes' tables", () => {
    function twoProcesses(receiverLimit = 1024) {
      const sender = new CapabilityTable();
      const receiver = new CapabilityTable();
      return { sender, receiver, senderAccount: openExchangeAccount(sender, 1024), receiverAccount: openExchangeAccount(receiver, receiverLimit) };
    }

    it("moves the block and its charge, never its bytes; the sender's handle is stale at once (use after send, double send)", () => {
      const { sender, receiver, senderAccount, receiverAccount } = twoProcesses();
      const handle = createBlock(sender, 100);
      const bytes = blockOf(sender, handle, Rights.write).bytes;
      bytes[0] = 42;
      const moved = sender.transfer(handle, receiver);
      expect(blockOf(receiver, moved, Rights.read).bytes).to.equal(bytes);
      expect(() => blockOf(sender, handle, Rights.read)).to.throw(BadHandleError);
      expect(() => sender.transfer(handle, receiver)).to.throw(BadHandleError);
      expect([senderAccount.bytes, receiverAccount.bytes]).to.deep.equal([0, 100]);
      receiver.clear();
      expect(receiverAccount.bytes).to.equal(0);
    });

    it("refuses a move past the receiver's quota and leaves the block with the sender", () => {
      const { sender, receiver, senderAccount, receiverAccount } = twoProcesses(50);
      const handle = createBlock(sender, 100);
      expect(() => sender.transfer(handle, receiver)).to.throw(ResourceLimitError);
      expect(blockOf(sender, handle, Rights.read).bytes.byteLength).to.equal(100);
      expect([senderAccount.bytes, receiverAccount.bytes]).to.deep.equal([100, 0]);
    });

    it("refuses a move into a full table and undoes the charge", () => {
      const sender = new CapabilityTable();
      const receiver = new CapabilityTable(1);
      const senderAccount = openExchangeAccount(sender, 1024);
      const receiverAccount = openExchangeAccount(receiver, 1024);
      receiver.insert({ object: { kind: 1, target: undefined, revoked: false }, rights: 0 });
      const handle = createBlock(sender, 10);
      expect(() => sender.transfer(handle, receiver)).to.throw(/capability table full/);
      expect([senderAccount.bytes, receiverAccount.bytes]).to.deep.equal([10, 0]);
      expect(blockOf(sender, handle, Rights.read).owner).to.equal(senderAccount);
    });

    it("holds a block through one handle only: restrict is refused", () => {
      const { sender } = twoProcesses();
      const handle = createBlock(sender, 10);
      expect(() => sender.restrict(handle, Rights.read)).to.throw(NotPermittedError);
    });
  });
});
