// Kernel calls for an in-kernel process: each import is a plain JS closure over the process's
// context that lifts canonical-ABI arguments from its memory and calls the handler directly.
// No boundary is crossed; the cost is a Wasm→JS call plus the handler.
//
// Calls that move strings or bytes charge the caller's fuel for the copy (chargeForWork), so a
// loop of large calls ends within its budget like a loop of instructions. Calls with only scalar
// arguments do a fixed, small amount of work, which the instruction fuel of the call site already
// bounds; they charge nothing more, which keeps them the hot path.
import { syscallDescriptors, type AbiValueType, type SyscallDescriptor } from "../../runtime/abi/index.js";
import type { InstanceMemory } from "../sip/instance-memory.js";
import { chargeForWork, type CallContext } from "./context.js";
import { KERNEL_BYTES_PER_FUEL } from "../params.js";
import { failedCall } from "./failure.js";
import { handlersByNumber, type SyscallHandler } from "./table.js";

type CoreValue = number | bigint;
/** Consumes core arguments starting at `index` and returns the lifted value. */
type Lifter = (core: readonly CoreValue[], index: number) => unknown;

function lifterFor(type: AbiValueType, memory: InstanceMemory): { lift: Lifter; width: number } {
  switch (type) {
    case "string": return { width: 2, lift: (core, index) => memory.readString(core[index] as number, core[index + 1] as number) };
    case "list<u8>": return { width: 2, lift: (core, index) => memory.readBytes(core[index] as number, core[index + 1] as number) };
    case "u32": case "char": return { width: 1, lift: (core, index) => (core[index] as number) >>> 0 };
    case "bool": return { width: 1, lift: (core, index) => core[index] !== 0 };
    case "u64": return { width: 1, lift: (core, index) => BigInt.asUintN(64, core[index] as bigint) };
    default: return { width: 1, lift: (core, index) => core[index] };
  }
}

function isPassThrough(type: AbiValueType): boolean {
  return type === "s32" || type === "s16" || type === "s8" || type === "u8" || type === "u16" || type === "s64" || type === "f32" || type === "f64";
}

function makeImport(descriptor: SyscallDescriptor, handler: SyscallHandler, context: CallContext, memory: InstanceMemory): (...core: CoreValue[]) => unknown {
  const name = descriptor.qualifiedName;
  const resultType = descriptor.result;
  // Calls with no or pass-through arguments and a plain result: the hot path, no lifting.
  if (descriptor.result !== "string" && descriptor.result !== "list<u8>" && descriptor.parameters.every((parameter) => isPassThrough(parameter.type))) {
    switch (descriptor.parameters.length) {
      case 0: return () => { try { return handler(context); } catch (error) { return failedCall(error, name, resultType); } };
      case 1: return (first) => { try { return handler(context, first); } catch (error) { return failedCall(error, name, resultType); } };
      default: return (...core) => { try { return handler(context, ...core); } catch (error) { return failedCall(error, name, resultType); } };
    }
  }
  // One to three u32 arguments (process.yield's tag, a handle, a channel send): lifted inline,
  // without the generic loop and its array. Handlers that do work charge for it themselves.
  if (descriptor.result !== "string" && descriptor.result !== "list<u8>" && descriptor.parameters.length <= 3 && descriptor.parameters.every((parameter) => parameter.type === "u32")) {
    switch (descriptor.parameters.length) {
      case 1: return (first) => { try { return handler(context, (first as number) >>> 0); } catch (error) { return failedCall(error, name, resultType); } };
      case 2: return (first, second) => { try { return handler(context, (first as number) >>> 0, (second as number) >>> 0); } catch (error) { return failedCall(error, name, resultType); } };
      case 3: return (first, second, third) => {
        try { return handler(context, (first as number) >>> 0, (second as number) >>> 0, (third as number) >>> 0); } catch (error) { return failedCall(error, name, resultType); }
      };
    }
  }
  // One string argument (console writes): lift it without the generic argument loop.
  if (descriptor.parameters.length === 1 && descriptor.parameters[0]!.type === "string" && descriptor.result !== "string" && descriptor.result !== "list<u8>") {
    return (pointer, length) => {
      try {
        const text = memory.readString(pointer as number, length as number);
        chargeForWork(context, text.length * 2);
        return handler(context, text);
      } catch (error) {
        return failedCall(error, name, resultType);
      }
    };
  }
  // Three u32s and bytes back (blocks.read: a walk copies out a block a directory): lifted inline,
  // the result's copy charged before it is made, as below.
  if (descriptor.result === "list<u8>" && descriptor.parameters.length === 3 && descriptor.parameters.every((parameter) => parameter.type === "u32")) {
    return (first, second, third, returnPointer) => {
      try {
        const value = handler(context, (first as number) >>> 0, (second as number) >>> 0, (third as number) >>> 0) as Uint8Array;
        context.fuel?.charge(value.byteLength / KERNEL_BYTES_PER_FUEL);
        memory.writeBytes(returnPointer as number, value);
        return undefined;
      } catch (error) {
        return failedCall(error, name, resultType);
      }
    };
  }
  // A path and a u32 (files.open, files.list-directory: a walk makes one a directory): lifted inline too.
  if (descriptor.parameters.length === 2 && descriptor.parameters[0]!.type === "string" && descriptor.parameters[1]!.type === "u32"
    && descriptor.result !== "string" && descriptor.result !== "list<u8>") {
    return (pointer, length, second) => {
      try {
        const text = memory.readString(pointer as number, length as number);
        chargeForWork(context, text.length * 2);
        return handler(context, text, (second as number) >>> 0);
      } catch (error) {
        return failedCall(error, name, resultType);
      }
    };
  }
  const lifters = descriptor.parameters.map((parameter) => lifterFor(parameter.type, memory));
  const writeResult = descriptor.result === "string"
    ? (returnPointer: number, value: unknown) => memory.writeString(returnPointer, value as string)
    : descriptor.result === "list<u8>"
      ? (returnPointer: number, value: unknown) => memory.writeBytes(returnPointer, value as Uint8Array)
      : undefined;
  return (...core) => {
    try {
      const args: unknown[] = [];
      let index = 0;
      let bytes = 0;
      for (const lifter of lifters) {
        const value = lifter.lift(core, index);
        if (typeof value === "string") bytes += value.length * 2;
        else if (value instanceof Uint8Array) bytes += value.byteLength;
        args.push(value);
        index += lifter.width;
      }
      chargeForWork(context, bytes);
      const value = handler(context, ...args);
      if (writeResult) {
        // The result's copy is charged before it is made: a call that runs out writes nothing.
        context.fuel?.charge(resultBytes(value) / KERNEL_BYTES_PER_FUEL);
        writeResult(core[index] as number, value);
        return undefined;
      }
      return value;
    } catch (error) {
      return failedCall(error, name, resultType);
    }
  };
}

function resultBytes(value: unknown): number {
  if (typeof value === "string") return value.length * 2;
  return value instanceof Uint8Array ? value.byteLength : 0;
}

/** The import object giving an in-kernel process the whole kernel ABI. */
export function bindKernelAbiInKernel(context: CallContext, memory: InstanceMemory): Record<string, Record<string, unknown>> {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const descriptor of syscallDescriptors) {
    const handler = handlersByNumber[descriptor.number]!;
    (imports[descriptor.importModule] ??= {})[descriptor.functionName] = makeImport(descriptor, handler, context, memory);
  }
  return imports;
}
