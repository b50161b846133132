// The hardware the kernel receives at boot: one object per device class.
import type { BlockDevice } from "./block.js";
import type { ConsoleDevice } from "./console.js";
import type { Cpu } from "./cpu.js";
import type { HostFiles } from "./host-files.js";
import type { NetworkDevice } from "./network.js";
import type { RandomSource } from "./random.js";
import type { TimerDevice } from "./time.js";

export interface Hal {
  readonly cpu: Cpu;
  readonly timer: TimerDevice;
  readonly console: ConsoleDevice;
  readonly block?: BlockDevice;
  readonly network?: NetworkDevice;
  /** Host directories the kernel may mount (`--dir`); without it only the in-memory tree exists. */
  readonly files?: HostFiles;
  readonly random?: RandomSource;
  /** Releases what the HAL holds (timers, sockets); running user domains are terminated. */
  shutdown(): Promise<void>;
}
