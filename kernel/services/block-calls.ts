// Exchange-heap calls (kernel/exchange): create a block, and copy bytes into and out of it.
import { Rights } from "../capabilities/index.js";
import { blockOf, checkBlockRange, createBlock } from "../exchange/index.js";
import { chargeForWork, type CallContext } from "../syscalls/context.js";

export function blockCreate(context: CallContext, size: number): number {
  chargeForWork(context, 0);
  return createBlock(context.process.capabilities, size);
}

export function blockSize(context: CallContext, handle: number): number {
  return blockOf(context.process.capabilities, handle, 0).bytes.byteLength;
}

export function blockWrite(context: CallContext, handle: number, offset: number, data: Uint8Array): number {
  const block = blockOf(context.process.capabilities, handle, Rights.write);
  checkBlockRange(block, offset, data.byteLength, "blocks.write");
  chargeForWork(context, data.byteLength);
  block.bytes.set(data, offset);
  return data.byteLength;
}

export function blockRead(context: CallContext, handle: number, offset: number, length: number): Uint8Array {
  const block = blockOf(context.process.capabilities, handle, Rights.read);
  checkBlockRange(block, offset, length, "blocks.read");
  chargeForWork(context, length);
  // A copy: the caller's memory never aliases kernel memory.
  return block.bytes.slice(offset, offset + length);
}
