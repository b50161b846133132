// The process table: allocates process ids and holds live processes until they end.
import { ResourceLimitError } from "../errors.js";
import { MAX_PROCESSES } from "../params.js";
import { checkedArguments } from "./arguments.js";
import { Process, type ProcessOptions } from "./process.js";

export class ProcessTable {
  private readonly live = new Map<number, Process>();
  private nextProcessId = 1;

  /** Every process is created here, so the argument limits hold for spawned and linked apps alike. */
  create(options: Omit<ProcessOptions, "processId">, principalProcessLimit = MAX_PROCESSES): Process {
    if (this.live.size >= MAX_PROCESSES) throw new ResourceLimitError(`too many processes (limit ${MAX_PROCESSES})`);
    if (options.principal !== undefined && principalProcessLimit < MAX_PROCESSES) {
      const owned = this.countOf(options.principal);
      if (owned >= principalProcessLimit) throw new ResourceLimitError(`too many processes for principal '${options.principal}' (limit ${principalProcessLimit})`);
    }
    const args = checkedArguments(options.args);
    const process = new Process({ ...options, args, processId: this.nextProcessId++ });
    this.live.set(process.processId, process);
    return process;
  }

  get(processId: number): Process | undefined {
    return this.live.get(processId);
  }

  /** Forgets an ended process; its resources were released by whoever ended it. */
  remove(process: Process): void {
    this.live.delete(process.processId);
  }

  /** Live processes run by `principal`. */
  countOf(principal: string): number {
    let owned = 0;
    for (const process of this.live.values()) if (process.principal === principal) owned++;
    return owned;
  }

  get count(): number {
    return this.live.size;
  }

  all(): Process[] {
    return [...this.live.values()];
  }
}
