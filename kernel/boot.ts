// Boot: wires the HAL behind the kernel's interfaces and returns a kernel. The only kernel
// file that names a HAL implementation.
import type { Clock, Hal } from "../hal/hil/index.js";
import { createNodeHal } from "../hal/node/index.js";
import { Kernel, type KernelDevices } from "./kernel.js";
import type { SystemPolicy } from "./policy/index.js";
import { FileNamespace, type MountSpec } from "./files/index.js";
import { NotImplementedError } from "./errors.js";

export interface BootOptions {
  /** The HAL to run on; the Node HAL by default. */
  readonly hal?: Hal;
  /** Device overrides, e.g. a capturing console in tests. */
  readonly devices?: Partial<KernelDevices>;
  /** The system policy: principals, their trust and their limits. The built-in default when omitted. */
  readonly policy?: SystemPolicy;
  /** Host directories to mount (`--dir HOST::GUEST[::rw]`), over the in-memory tree. */
  readonly mounts?: readonly MountSpec[];
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
    files: fileNamespace(hal, options.mounts ?? []),
  };
  return new Kernel({ ...devices, ...options.devices }, options.policy);
}

/** The in-memory tree with the host directories mounted on it; throws for a mount the host refuses. */
function fileNamespace(hal: Hal, mounts: readonly MountSpec[]): FileNamespace {
  const namespace = new FileNamespace();
  for (const spec of mounts) {
    if (!hal.files) throw new NotImplementedError(`mount ${spec.guestPath}: this HAL has no host directories`);
    namespace.mount(hal.files, spec);
  }
  return namespace;
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
