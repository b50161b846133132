// Boot: wires device implementations behind the kernel's interfaces and returns a kernel.
import { Kernel, type KernelDevices } from "./kernel.js";

export interface BootOptions {
  readonly devices?: Partial<KernelDevices>;
}

function hostDevices(): KernelDevices {
  const bootTime = process.hrtime.bigint();
  return {
    console: { write: (stream, text) => (stream === "stdout" ? process.stdout : process.stderr).write(text) },
    clock: {
      monotonicNanoseconds: () => process.hrtime.bigint() - bootTime,
      wallMilliseconds: () => Date.now(),
    },
  };
}

export function bootKernel(options: BootOptions = {}): Kernel {
  const defaults = hostDevices();
  return new Kernel({ ...defaults, ...options.devices });
}
