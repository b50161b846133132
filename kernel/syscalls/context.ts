// What a kernel call sees: the calling process and the kernel services it may use.
import { KERNEL_BYTES_PER_FUEL, KERNEL_CALL_FUEL } from "../params.js";
import type { OutputStream, OutputTarget, Process } from "../process/index.js";
import type { InstanceMemory } from "../sip/instance-memory.js";
import type { FuelCharge } from "../sip/fuel-meter.js";
import type { TimerService } from "../events/index.js";
import type { NameService } from "../channels/index.js";
import type { FileNamespace } from "../files/index.js";
import type { NetworkService } from "../network/index.js";
import type { RandomSource } from "../../hal/hil/index.js";

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

export interface KernelServices {
  readonly clock: ClockDevice;
  /** Every process's timers; absent when the kernel was booted without a timer device. */
  readonly timers?: TimerService;
  /** The directory of named services; absent where a kernel offers none. */
  readonly names?: NameService;
  /** The file namespace (the in-memory tree and its mounts); absent where a kernel offers none. */
  readonly files?: FileNamespace;
  /** Sockets over the HAL's network device; absent when the kernel was booted without one. */
  readonly network?: NetworkService;
  /** Random bytes; absent when the kernel was booted without a random device. */
  readonly random?: RandomSource;
}

export interface CallContext {
  readonly process: Process;
  readonly services: KernelServices;
  /** The caller's linear memory, for in-kernel processes (batch rings are read in place). */
  readonly memory?: InstanceMemory;
  /**
   * Where a kernel call charges the fuel its work costs (KERNEL_CALL_FUEL, KERNEL_BYTES_PER_FUEL).
   * In-kernel instances have a FuelMeter on their own fuel global. User domains have none today
   * (their code is bounded by CPU time): the hook for the user-domain pipeline is to attach one
   * here, and every handler that charges through `chargeForWork` then charges it too.
   */
  readonly fuel?: FuelCharge;
}

/** Charges the caller for a call that moved `bytes` bytes: the call's own cost plus the copy. */
export function chargeForWork(context: CallContext, bytes: number): void {
  context.fuel?.charge(KERNEL_CALL_FUEL + bytes / KERNEL_BYTES_PER_FUEL);
}
