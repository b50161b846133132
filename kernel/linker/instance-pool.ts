// Pre-made kernel-domain instances of hot modules, the way a pooling allocator keeps instance
// slots ready: most of a kernel-domain spawn is `new WebAssembly.Instance` (its linear memory's
// reservation, the import wrappers) and making the instance's kernel imports, neither of which
// depends on the process. So after a spawn of a module, the kernel makes the next instances of
// it in idle time (one per event-loop turn, never while other work waits in that turn), and the
// next spawn takes one and gives it to its process (`bind` on its imports).
//
// Isolation holds because a pre-made instance is fresh and single-use:
//   - it is made with imports bound to no process, and no code of it runs until a process takes
//     it: its start function is moved to an export the linker runs after the take, under the
//     fuel and time bounds of a start (bounded-module.ts), so it holds no state of any process;
//   - `take` removes it from the pool, and nothing ever puts an instance back: an instance, its
//     memory and its tables belong to exactly one process and end with it;
//   - its imports can be bound once (bind-kernel-abi.ts): a second process is refused.
// Every bound stays: the pool is keyed by the compiled module, which is already the module for
// the process's memory and table limits (bounded-module.ts); trust and principal are checked by
// the plan at every spawn before any instance is taken, and fuel is set per entry.
// `close` (kernel shutdown) drops every pre-made instance and stops the refills.
import type { KernelServices } from "../syscalls/context.js";
import { InstanceMemory } from "../sip/instance-memory.js";
import { unboundKernelAbiImports, type KernelAbiImports } from "./bind-kernel-abi.js";
import { MAX_POOLED_INSTANCE_MEMORY_BYTES, MAX_POOLED_MODULES, POOLED_INSTANCES_PER_MODULE } from "./limits.js";

/** An instance made with kernel imports that are not yet bound to a process. */
export interface PreparedInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: InstanceMemory;
  readonly abi: KernelAbiImports;
}

export interface InstancePoolStatistics {
  /** Instances made ahead, in idle time. */
  made: number;
  /** Spawns that took a pre-made instance. */
  taken: number;
  /** Spawns that found none ready and instantiated then. */
  missed: number;
}

export class KernelInstancePool {
  /** Ready instances by compiled module; the map's order is recency of spawn, oldest first. */
  private readonly ready = new Map<WebAssembly.Module, PreparedInstance[]>();
  /** Modules never pre-made: their memory is over the limit, or making one failed. */
  private readonly neverPooled = new WeakSet<WebAssembly.Module>();
  private refill: NodeJS.Immediate | undefined;
  private closed = false;
  readonly statistics: InstancePoolStatistics = { made: 0, taken: 0, missed: 0 };

  constructor(private readonly services: KernelServices) {}

  /**
   * A fresh instance of `module` that no process has had: a pre-made one when ready, else one
   * made now (instantiation errors are the caller's). Either way the module is hot: its next
   * instances are made in idle time. The caller binds its imports to the process taking it.
   */
  take(module: WebAssembly.Module): PreparedInstance {
    const found = this.ready.get(module)?.pop();
    let taken: PreparedInstance;
    if (found) {
      this.statistics.taken++;
      taken = found;
    } else {
      this.statistics.missed++;
      taken = this.make(module);
    }
    this.noteSpawned(module);
    return taken;
  }

  /** Instances ready now, over all modules. */
  get size(): number {
    let count = 0;
    for (const instances of this.ready.values()) count += instances.length;
    return count;
  }

  /** Bytes of linear memory the ready instances hold. */
  get heldMemoryBytes(): number {
    let bytes = 0;
    for (const instances of this.ready.values()) for (const ready of instances) bytes += ready.memory.byteLength;
    return bytes;
  }

  /** Settles once no refill is pending: for tests and benchmarks that want the pool full. */
  async settled(): Promise<void> {
    while (this.refill !== undefined) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Drops every ready instance and makes no more: the kernel is shutting down. */
  close(): void {
    this.closed = true;
    if (this.refill !== undefined) clearImmediate(this.refill);
    this.refill = undefined;
    this.ready.clear();
  }

  private make(module: WebAssembly.Module): PreparedInstance {
    const memory = new InstanceMemory();
    const abi = unboundKernelAbiImports(this.services, memory, "kernel");
    const instance = new WebAssembly.Instance(module, abi.imports as WebAssembly.Imports);
    memory.attach(instance);
    return { instance, memory, abi };
  }

  private noteSpawned(module: WebAssembly.Module): void {
    if (this.closed || this.neverPooled.has(module)) return;
    const instances = this.ready.get(module) ?? [];
    // Most recent last; the least recently spawned module leaves first.
    this.ready.delete(module);
    this.ready.set(module, instances);
    if (this.ready.size > MAX_POOLED_MODULES) {
      this.ready.delete(this.ready.keys().next().value!);
    }
    this.scheduleRefill();
  }

  private scheduleRefill(): void {
    if (this.refill !== undefined || this.closed) return;
    this.refill = setImmediate(() => this.refillOne());
    // A refill is idle work: it must not keep a kernel whose processes have ended alive.
    this.refill.unref();
  }

  /** Makes one instance for the most recently spawned module short of its share, then yields the turn. */
  private refillOne(): void {
    this.refill = undefined;
    if (this.closed) return;
    const modules = [...this.ready.keys()];
    for (let index = modules.length - 1; index >= 0; index--) {
      const module = modules[index]!;
      const instances = this.ready.get(module)!;
      if (instances.length >= POOLED_INSTANCES_PER_MODULE) continue;
      let made: PreparedInstance;
      try {
        made = this.make(module);
      } catch {
        // Making it failed at spawn too, and that spawn reported it: nothing to keep ready.
        this.stopPooling(module);
        break;
      }
      if (made.memory.byteLength > MAX_POOLED_INSTANCE_MEMORY_BYTES) {
        this.stopPooling(module);
        break;
      }
      instances.push(made);
      this.statistics.made++;
      break;
    }
    if (this.hasShortfall()) this.scheduleRefill();
  }

  private stopPooling(module: WebAssembly.Module): void {
    this.ready.delete(module);
    this.neverPooled.add(module);
  }

  private hasShortfall(): boolean {
    for (const instances of this.ready.values()) if (instances.length < POOLED_INSTANCES_PER_MODULE) return true;
    return false;
  }
}
