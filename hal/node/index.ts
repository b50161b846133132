// The Node HAL: user domains on worker_threads with a SharedArrayBuffer trap page, real timers,
// console, an in-memory block device, TCP and UDP networking, a random source and host directories.
import type { Hal } from "../hil/index.js";
import { MemoryBlockDevice } from "./block.js";
import { NodeConsole } from "./console.js";
import { NodeCpu, type NodeCpuOptions } from "./cpu.js";
import { NodeNetwork } from "./network.js";
import { NodeHostFiles } from "./host-files.js";
import { NodeRandom } from "./random.js";
import { NodeTimer } from "./timer.js";

export { NodeCpu, type NodeCpuOptions } from "./cpu.js";
export { NodeTimer } from "./timer.js";
export { NodeConsole } from "./console.js";
export { MemoryBlockDevice, BlockRangeError } from "./block.js";
export { NodeNetwork } from "./network.js";
export { NodeHostFiles } from "./host-files.js";
export { NodeRandom } from "./random.js";
export { runModule, type ModuleRunSpec, type RunningModule } from "./user-domain/index.js";
export * as params from "./params.js";

export interface NodeHalOptions extends NodeCpuOptions {
  /** Block device geometry; defaults to 1024 blocks of 4 KiB. */
  readonly blockSize?: number;
  readonly blockCount?: number;
}

export function createNodeHal(options: NodeHalOptions = {}): Hal {
  const timer = new NodeTimer();
  const cpu = new NodeCpu(timer, options);
  const network = new NodeNetwork();
  return {
    cpu,
    timer,
    console: new NodeConsole(),
    block: new MemoryBlockDevice(options.blockSize ?? 4096, options.blockCount ?? 1024),
    network,
    random: new NodeRandom(),
    files: new NodeHostFiles(),
    shutdown: () => {
      network.closeAll();
      return cpu.terminateAll("the HAL is shutting down");
    },
  };
}
