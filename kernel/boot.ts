// Boot: wires the HAL behind the kernel's interfaces and returns a kernel. The only kernel
// file that names a HAL implementation.
import type { Clock, Hal } from "../hal/hil/index.js";
import { createNodeHal } from "../hal/node/index.js";
import { Kernel, type KernelDevices } from "./kernel.js";
import type { SystemPolicy } from "./policy/index.js";

export interface BootOptions {
  /** The HAL to run on; the Node HAL by default. */
  readonly hal?: Hal;
  /** Device overrides, e.g. a capturing console in tests. */
  readonly devices?: Partial<KernelDevices>;
  /** The system policy: principals, their trust and their limits. The built-in default when omitted. */
  readonly policy?: SystemPolicy;
}

export function bootKernel(options: BootOptions = {}): Kernel {
  const hal = options.hal ?? createNodeHal();
  const devices: KernelDevices = {
    // The device itself, not a wrapper: queues need its backpressure and failure reports.
    console: hal.console,
    clock: { monotonicNanoseconds: nanosecondsSinceBoot(hal.timer), wallMilliseconds: () => Date.now() },
    timer: hal.timer,
    cpu: hal.cpu,
    network: hal.network,
    random: hal.random,
    shutdown: () => hal.shutdown(),
  };
  return new Kernel({ ...devices, ...options.devices }, options.policy);
}

/**
 * clock.now's source, chosen once: a device that reads nanoseconds as a bigint is used directly
 * (measured about 2× cheaper per call than converting fractional milliseconds to a bigint).
 */
function nanosecondsSinceBoot(clock: Clock): () => bigint {
  if (clock.monotonicNanoseconds) {
    const read = clock.monotonicNanoseconds.bind(clock);
    const boot = read();
    return () => read() - boot;
  }
  const bootMilliseconds = clock.now();
  return () => BigInt(Math.round((clock.now() - bootMilliseconds) * 1e6));
}
