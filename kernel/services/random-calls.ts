// Random calls: fill part of an exchange-heap block from the HAL's random device, gated by the
// random capability.
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { NotImplementedError, NotPermittedError } from "../errors.js";
import { blockOf, checkBlockRange } from "../exchange/index.js";
import { chargeForWork, type CallContext } from "../syscalls/context.js";

export function randomFill(context: CallContext, blockHandle: number, offset: number, length: number): number {
  if (!context.process.capabilities.holds(CapabilityKind.random, Rights.read)) {
    throw new NotPermittedError(`random.fill: process ${context.process.processId} holds no random capability with read rights`);
  }
  const random = context.services.random;
  if (!random) throw new NotImplementedError("random.fill: this kernel has no random device");
  const block = blockOf(context.process.capabilities, blockHandle, Rights.write);
  checkBlockRange(block, offset, length, "random.fill");
  chargeForWork(context, length);
  random.fill(block.bytes.subarray(offset, offset + length));
  return length;
}
