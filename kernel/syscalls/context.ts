// What a kernel call sees: the calling process and the kernel services it may use.
import type { Process } from "../process/index.js";

export interface ConsoleDevice {
  write(stream: "stdout" | "stderr", text: string): void;
}

export interface ClockDevice {
  /** Monotonic nanoseconds since boot. */
  monotonicNanoseconds(): bigint;
  /** Milliseconds since the Unix epoch. */
  wallMilliseconds(): number;
}

export interface KernelServices {
  readonly clock: ClockDevice;
}

export interface CallContext {
  readonly process: Process;
  readonly services: KernelServices;
}
