// What a kernel call sees: the calling process and the kernel services it may use.
import type { AbiValue, TrapOutcome } from "../../hal/hil/index.js";
import type { OutputStream, OutputTarget, Process } from "../process/index.js";
import type { InstanceMemory } from "../sip/instance-memory.js";

/**
 * The console as the kernel sees it: an output target (write returns the units taken) that may
 * also report its backlog and when it has flushed (hal/hil/console.ts).
 */
export interface ConsoleDevice extends OutputTarget {
  backlog?(stream: OutputStream): number;
  flushed?(stream: OutputStream): Promise<void>;
}

export interface ClockDevice {
  /** Monotonic nanoseconds since boot. */
  monotonicNanoseconds(): bigint;
  /** Milliseconds since the Unix epoch. */
  wallMilliseconds(): number;
}

/** Runs a batch ring that sits in an in-kernel process's memory (the HAL knows its layout). */
export type BatchInMemoryService = (
  memory: WebAssembly.Memory, entries: number, count: number,
  dispatch: (syscallNumber: number, args: readonly AbiValue[]) => TrapOutcome,
  onStop: (outcome: Extract<TrapOutcome, { kind: "exit" | "fault" }>) => void,
) => number;

export interface KernelServices {
  readonly clock: ClockDevice;
  readonly batch: { readonly submitInMemory: BatchInMemoryService };
}

export interface CallContext {
  readonly process: Process;
  readonly services: KernelServices;
  /** The caller's linear memory, for in-kernel processes (batch rings are read in place). */
  readonly memory?: InstanceMemory;
}
