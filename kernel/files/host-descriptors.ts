// The host descriptors that open files and directories on host mounts hold, counted for the whole
// kernel: every process's opens draw on one budget (MAX_OPEN_HOST_FILES), so no set of processes
// can take all of the host process's descriptors from the kernel and its other processes.
import { ResourceLimitError } from "../errors.js";

export class HostDescriptorBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  /** One more descriptor, or noMemory naming `guestPath` when the kernel's are all held. */
  take(guestPath: string): void {
    if (this.held >= this.limit) throw new ResourceLimitError(`${guestPath}: ${this.held} host files open in the kernel (limit ${this.limit})`);
    this.held++;
  }

  give(): void {
    this.held--;
  }
}
