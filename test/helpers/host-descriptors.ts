// Host descriptors this Node process holds open, for suites that check the kernel closed its own.
import { readdirSync, readlinkSync } from "node:fs";

/** Host descriptors of this process open on something under `directory` (a worker's own descriptors are not counted). */
export function descriptorsUnder(directory: string): number {
  let count = 0;
  for (const descriptor of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${descriptor}`).startsWith(directory)) count++;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return count;
}
