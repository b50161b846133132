// The simulated HAL: deterministic devices for tests. A virtual clock that moves only when told,
// a console that records, an in-thread CPU with counted switches, the real MMU model and a
// seeded random source.
import type { Hal } from "../hil/index.js";
import { MemoryBlockDevice } from "../node/block.js";
import { NodeHostFiles } from "../node/host-files.js";
import { RecordingConsole } from "./recording-console.js";
import { SimCpu } from "./sim-cpu.js";
import { VirtualClock } from "./virtual-clock.js";
import { SeededRandom } from "./seeded-random.js";

export { VirtualClock } from "./virtual-clock.js";
export { RecordingConsole, type ConsoleRecord } from "./recording-console.js";
export { SimCpu, SimUserDomain } from "./sim-cpu.js";
export { SeededRandom } from "./seeded-random.js";

export interface SimHal extends Hal {
  readonly cpu: SimCpu;
  readonly timer: VirtualClock;
  readonly console: RecordingConsole;
  readonly random: SeededRandom;
}

export function createSimHal(): SimHal {
  return {
    cpu: new SimCpu(),
    timer: new VirtualClock(),
    console: new RecordingConsole(),
    block: new MemoryBlockDevice(512, 64),
    // Real host directories: mount tests use temporary directories, whose contents are deterministic.
    files: new NodeHostFiles(),
    // No network: socket suites run on the Node HAL's loopback, the one real network a test has.
    random: new SeededRandom(),
    shutdown: async () => {},
  };
}
