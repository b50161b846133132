// Boot: wires the HAL behind the kernel's interfaces and returns a kernel. The only kernel
// file that names a HAL implementation.
import type { Hal } from "../hal/hil/index.js";
import { createNodeHal, submitBatchInMemory } from "../hal/node/index.js";
import { Kernel, type KernelDevices } from "./kernel.js";

export interface BootOptions {
  /** The HAL to run on; the Node HAL by default. */
  readonly hal?: Hal;
  /** Device overrides, e.g. a capturing console in tests. */
  readonly devices?: Partial<KernelDevices>;
}

export function bootKernel(options: BootOptions = {}): Kernel {
  const hal = options.hal ?? createNodeHal();
  const bootMilliseconds = hal.timer.now();
  const devices: KernelDevices = {
    console: { write: (stream, text) => { hal.console.write(stream, text); } },
    clock: {
      monotonicNanoseconds: () => BigInt(Math.round((hal.timer.now() - bootMilliseconds) * 1e6)),
      wallMilliseconds: () => Date.now(),
    },
    cpu: hal.cpu,
    batchInMemory: submitBatchInMemory,
    shutdown: () => hal.shutdown(),
  };
  return new Kernel({ ...devices, ...options.devices });
}
