// The thread of one user domain: holds the process's user-mode instances, runs the calls the
// kernel hands it, and crosses into the kernel for kernel calls and kernel jumps. It runs in its
// own isolate, so kernel memory is out of its reach; every pointer it takes from a module is
// checked against that module's page table before a byte moves.
import type { MessagePort } from "node:worker_threads";
import { workerThreads } from "../on-demand-modules.js";
import type { AbiValueType, SyscallDescriptor } from "../../../runtime/abi/index.js";
import type { BadPointerPolicy, LinkedKernelEntryImport, LinkedSiblingImport } from "../../hil/index.js";
import { AddressSpace, TranslationLookasideBuffer } from "../mmu/index.js";
import { DomainUnwind, buildTrapImports, observeMemory, type StubContext } from "./trap-stubs.js";
import { TrapPage, trapPageGeometry } from "./trap-page.js";
import { currentThreadId } from "./thread-cpu-clock.js";
import { faultFromError } from "./wasm-fault.js";
import { initialSpinState, nextSpinState, type SpinState } from "./spin-budget.js";
import type { WorkerFault } from "./messages.js";
import { Answer, Channel, CHANNEL_VALUE_SLOTS, ChannelOverflow, ChannelWord, Message, Turn, ValueKind } from "./channel.js";

/** What starts one domain on a thread: posted on the thread's port, one per domain it serves. */
export interface DomainBootData {
  readonly kind: "domain-boot";
  /** The kernel's call table: the trap stubs are built from it. */
  readonly calls: readonly SyscallDescriptor[];
  /** A new channel for every domain: no word of the previous domain's crossings is left in it. */
  readonly channelBuffer: SharedArrayBuffer;
  readonly badPointerPolicy: BadPointerPolicy;
  readonly userSpinIterations: number;
}

/** Posted on the port before each `instantiate` message. */
export interface InstantiateRequest {
  readonly kind: "instantiate";
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly trapBuffer: SharedArrayBuffer;
  readonly pageCount: number;
  readonly layoutMemoryPages: number;
  readonly memoryLimitPages: number;
  readonly siblings: readonly LinkedSiblingImport[];
  readonly kernelEntries: readonly LinkedKernelEntryImport[];
}

/** How the domain ended, as the kernel reads it from the channel. */
export type EndingReport = { readonly kind: "exited"; readonly code: number } | { readonly kind: "faulted"; readonly fault: WorkerFault };

type CoreValue = number | bigint;
type WasmFunction = (...core: CoreValue[]) => unknown;

interface ThreadInstance {
  readonly exports: WebAssembly.Exports;
  readonly context: StubContext;
}

function carriesMemory(type: AbiValueType): boolean {
  return type === "string" || type === "list<u8>";
}

class DomainThread {
  private readonly channel: Channel;
  private readonly instances: ThreadInstance[] = [];
  private spin: SpinState;
  private ending: EndingReport | undefined;
  /** Exports the kernel has called, by the number it gave each: looked up by name once. */
  private readonly exportsByNumber: WasmFunction[] = [];

  /** `port` is the thread's: it carries what a SharedArrayBuffer cannot (compiled modules), read synchronously. */
  constructor(private readonly boot: DomainBootData, private readonly port: MessagePort) {
    this.channel = new Channel(boot.channelBuffer);
    this.spin = initialSpinState(boot.userSpinIterations);
  }

  /**
   * The idle loop: the thread does nothing but wait for the kernel's next request. Returns when
   * the kernel releases the domain; the thread then forgets it whole (thread-succession.ts).
   */
  park(): void {
    Atomics.store(this.channel.header, ChannelWord.threadId, currentThreadId());
    Atomics.store(this.channel.header, ChannelWord.threadReady, 1);
    // Wake a kernel thread blocked on our start, so it begins charging from now, not later.
    Atomics.notify(this.channel.header, ChannelWord.sequence);
    for (;;) {
      this.awaitTurn();
      const message = this.channel.header[ChannelWord.message];
      if (message === Message.instantiate) this.instantiate();
      else if (message === Message.call) this.serveCall();
      else if (message === Message.release) return;
      else this.end({ kind: "faulted", fault: { kind: "worker-crash", message: `crossing protocol: message ${message} while idle` } });
    }
  }

  /** Spins while an answer is likely to come soon, then sleeps; the budget adapts (spin-budget.ts). */
  private awaitTurn(): void {
    const header = this.channel.header;
    const budget = this.spin.budget;
    for (let spin = 0; spin < budget; spin++) {
      if (Atomics.load(header, ChannelWord.turn) === Turn.user) {
        this.spin = nextSpinState(this.spin, true, this.boot.userSpinIterations);
        return;
      }
    }
    this.spin = nextSpinState(this.spin, false, this.boot.userSpinIterations);
    // Announce the sleep before sleeping: a pass landing in between changes the sequence.
    Atomics.add(header, ChannelWord.userSleeps, 1);
    Atomics.store(header, ChannelWord.userSleeping, 1);
    for (;;) {
      const seen = Atomics.load(header, ChannelWord.sequence);
      if (Atomics.load(header, ChannelWord.turn) === Turn.user) break;
      Atomics.wait(header, ChannelWord.sequence, seen);
    }
    Atomics.store(header, ChannelWord.userSleeping, 0);
  }

  /** Hands the kernel a trap or jump and waits for its answer, serving upcalls meanwhile. */
  private enterKernel(message: number, instance: number, number: number): void {
    const header = this.channel.header;
    header[ChannelWord.instance] = instance;
    header[ChannelWord.number] = number;
    this.channel.pass(Turn.kernel, message);
    for (;;) {
      this.awaitTurn();
      const received = header[ChannelWord.message];
      if (received === Message.answer) return;
      if (received === Message.call) {
        this.serveCall();
        continue;
      }
      throw new Error(`crossing protocol: message ${received} while waiting for an answer`);
    }
  }

  private serveCall(): void {
    if (this.ending) {
      this.end(this.ending);
      return;
    }
    const header = this.channel.header;
    const target = this.instances[header[ChannelWord.instance]!];
    const args = this.channel.readValues();
    const exportNumber = header[ChannelWord.number]!;
    if (header[ChannelWord.namesExport] !== 0) {
      const name = args.shift();
      const callee = target?.exports[name as string];
      if (!target || typeof callee !== "function") {
        this.end({ kind: "faulted", fault: { kind: "trap", message: `no exported function '${String(name)}' in instance ${header[ChannelWord.instance]}` } });
        return;
      }
      this.exportsByNumber[exportNumber] = callee as WasmFunction;
    }
    const callee = this.exportsByNumber[exportNumber];
    try {
      if (!target || !callee) throw new Error(`crossing protocol: call of unknown export number ${exportNumber}`);
      const result = callee(...this.lower(target.context, args));
      const unwinding = this.unwinding();
      if (unwinding) throw unwinding;
      observeMemory(target.context);
      this.channel.writeResult(result);
      this.channel.pass(Turn.kernel, Message.returned);
    } catch (error) {
      this.end(this.endingFrom(error));
    }
  }

  /** The first ending wins: a kernel kill outranks what unwinding through outer frames reports. */
  private end(report: EndingReport): void {
    this.ending ??= report;
    this.channel.writeReport(this.ending);
    this.channel.pass(Turn.kernel, Message.ended);
  }

  private unwinding(): DomainUnwind | undefined {
    for (const instance of this.instances) if (instance.context.unwinding) return instance.context.unwinding;
    return undefined;
  }

  private endingFrom(error: unknown): EndingReport {
    // The module may have caught the unwind (Wasm exception handling) and thrown something else.
    const unwind = this.unwinding() ?? (error instanceof DomainUnwind ? error : undefined);
    if (unwind) return unwind.outcome.kind === "exited" ? { kind: "exited", code: unwind.outcome.code } : { kind: "faulted", fault: unwind.outcome.fault };
    return { kind: "faulted", fault: faultFromError(error) };
  }

  // --- moving memory, always through the page tables ---------------------------------------

  private kill(context: StubContext, fault: WorkerFault): DomainUnwind {
    context.unwinding = new DomainUnwind({ kind: "faulted", fault });
    return context.unwinding;
  }

  private read(context: StubContext, pointer: number, byteLength: number, what: string): Uint8Array {
    const translation = context.addressSpace.translate(pointer, byteLength, "read");
    if (!translation.ok) {
      const fault = translation.fault;
      throw this.kill(context, { kind: "bad-address", message: `${what}: read of 0x${fault.address.toString(16)} faulted (${fault.cause})`, address: fault.address });
    }
    return new Uint8Array(context.process.memory!.buffer, translation.offset, byteLength);
  }

  /** Allocates in `context`'s instance through its cabi_realloc and copies `bytes` there. */
  private place(context: StubContext, bytes: Uint8Array, align: number, what: string): number {
    if (bytes.byteLength === 0) return 0;
    const realloc = context.process.realloc;
    if (!realloc) throw this.kill(context, { kind: "kernel", message: `${what}: the module exports no cabi_realloc` });
    const pointer = realloc(0, 0, align, bytes.byteLength) >>> 0;
    observeMemory(context);
    const translation = context.addressSpace.translate(pointer, bytes.byteLength, "write");
    if (!translation.ok) {
      const fault = translation.fault;
      throw this.kill(context, { kind: "bad-address", message: `${what}: write to 0x${fault.address.toString(16)} faulted (${fault.cause})`, address: fault.address });
    }
    new Uint8Array(context.process.memory!.buffer, translation.offset, bytes.byteLength).set(bytes);
    return pointer;
  }

  /** Upcall arguments into the callee: strings and byte lists through its cabi_realloc. */
  private lower(context: StubContext, args: readonly unknown[]): CoreValue[] {
    const core: CoreValue[] = [];
    for (const value of args) {
      if (typeof value === "string") {
        const units = new Uint16Array(value.length);
        for (let unit = 0; unit < value.length; unit++) units[unit] = value.charCodeAt(unit);
        core.push(this.place(context, new Uint8Array(units.buffer), 2, "upcall argument"), value.length);
      } else if (value instanceof Uint8Array) {
        core.push(this.place(context, value, 1, "upcall argument"), value.byteLength);
      } else {
        core.push(value as CoreValue);
      }
    }
    return core;
  }

  // --- instances ---------------------------------------------------------------------------

  private instantiate(): void {
    const request = workerThreads().receiveMessageOnPort(this.port)?.message as InstantiateRequest | undefined;
    if (request?.kind !== "instantiate") {
      this.refuse("link", "no instantiation request arrived with the message");
      return;
    }
    const index = this.instances.length;
    const trapPage = new TrapPage(request.trapBuffer, trapPageGeometry(request.pageCount));
    const process: StubContext["process"] = { memory: undefined, bytes: new Uint8Array(0), realloc: undefined };
    const context: StubContext = {
      trapPage, process,
      addressSpace: new AddressSpace(trapPage.pageTable, [], () => process.memory?.buffer.byteLength ?? 0, new TranslationLookasideBuffer(trapPage.pageTable.counters)),
      badPointerPolicy: this.boot.badPointerPolicy,
      memoryLimitPages: request.memoryLimitPages,
      userSpinIterations: this.boot.userSpinIterations,
      spin: initialSpinState(this.boot.userSpinIterations),
      enterKernel: (_context, syscallNumber) => this.enterKernel(Message.trap, index, syscallNumber),
      mappedMemoryPages: request.layoutMemoryPages,
      unwinding: undefined,
    };
    const imports = buildTrapImports(context, this.boot.calls) as Record<string, Record<string, WebAssembly.ImportValue>>;
    for (const sibling of request.siblings) {
      (imports[sibling.importModule] ??= {})[sibling.importName] = this.siblingImport(context, sibling) as WebAssembly.ImportValue;
    }
    for (const entry of request.kernelEntries) {
      (imports[entry.importModule] ??= {})[entry.importName] = this.kernelEntryImport(context, index, entry) as WebAssembly.ImportValue;
    }
    try {
      // A start function may already call the kernel; memory is bound as soon as it exists.
      const instance = new WebAssembly.Instance(request.module, imports);
      const exports = instance.exports;
      if (exports.memory instanceof WebAssembly.Memory) process.memory = exports.memory;
      if (typeof exports.cabi_realloc === "function") process.realloc = exports.cabi_realloc as StubContext["process"]["realloc"];
      observeMemory(context);
      this.instances.push({ exports, context });
      this.channel.writeResult(index);
      this.channel.pass(Turn.kernel, Message.returned);
    } catch (error) {
      if (!context.unwinding && error instanceof WebAssembly.LinkError) this.refuse("link", error.message);
      else if (!context.unwinding && error instanceof WebAssembly.CompileError) this.refuse("compile", error.message);
      else this.end(context.unwinding ? this.endingFrom(context.unwinding) : this.endingFrom(error));
    }
  }

  private refuse(reason: "link" | "compile", message: string): void {
    this.channel.writeReport({ reason, message });
    this.channel.pass(Turn.kernel, Message.instantiateFailed);
  }

  /** A sibling export: the function itself, or an adapter that copies memory arguments across. */
  private siblingImport(caller: StubContext, sibling: LinkedSiblingImport): unknown {
    const target = this.instances[sibling.target];
    const callee = target?.exports[sibling.exportName];
    if (!target || typeof callee !== "function") return undefined;
    const parameters = sibling.parameters;
    if (!parameters?.some(carriesMemory)) return callee;
    const what = `${sibling.importModule}.${sibling.importName}`;
    return (...core: CoreValue[]) => {
      const copied: CoreValue[] = [];
      let index = 0;
      for (const type of parameters) {
        if (!carriesMemory(type)) {
          copied.push(core[index++]!);
          continue;
        }
        const pointer = Number(core[index]) >>> 0;
        const length = Number(core[index + 1]) >>> 0;
        index += 2;
        const bytes = this.read(caller, pointer, type === "string" ? length * 2 : length, what);
        copied.push(this.place(target.context, bytes.slice(), type === "string" ? 2 : 1, what), length);
      }
      return (callee as WasmFunction)(...copied);
    };
  }

  /** `syskerneljump`: lifts the arguments through the page table into the channel and crosses. */
  private kernelEntryImport(context: StubContext, instance: number, entry: LinkedKernelEntryImport): WasmFunction {
    const channel = this.channel;
    const what = `syskerneljump ${entry.importModule}.${entry.importName}`;
    return (...core: CoreValue[]) => {
      if (context.unwinding) throw context.unwinding;
      observeMemory(context);
      // Without declared parameter types every core value passes through as it is.
      const types = entry.parameters;
      const count = types ? types.length : core.length;
      if (count > CHANNEL_VALUE_SLOTS) throw this.kill(context, { kind: "kernel", message: `${what}: ${count} arguments (limit ${CHANNEL_VALUE_SLOTS})` });
      let cursor = 0;
      let index = 0;
      let slot = 0;
      try {
        for (; slot < count; slot++) {
          const type = types?.[slot];
          if (type !== undefined && carriesMemory(type)) {
            const pointer = Number(core[index]) >>> 0;
            const length = Number(core[index + 1]) >>> 0;
            index += 2;
            const bytes = this.read(context, pointer, type === "string" ? length * 2 : length, what);
            cursor = channel.reserve(cursor, bytes.byteLength, slot, type === "string" ? ValueKind.string : ValueKind.bytes, length);
            channel.data.set(bytes, channel.valueWords[slot * 2]!);
          } else {
            const value = core[index++];
            if (typeof value === "bigint") {
              channel.valueKinds[slot] = ValueKind.bigint;
              channel.valueWides[slot] = value;
            } else {
              channel.valueKinds[slot] = ValueKind.number;
              channel.valueFloats[slot] = Number(value);
            }
          }
        }
      } catch (error) {
        if (error instanceof ChannelOverflow) throw this.kill(context, { kind: "kernel", message: `${what}: ${error.message}` });
        throw error;
      }
      channel.header[ChannelWord.valueCount] = slot;
      this.enterKernel(Message.kernelJump, instance, entry.jumpIndex);
      const header = channel.header;
      const answer = header[ChannelWord.answer];
      if (answer === Answer.exit) {
        context.unwinding = new DomainUnwind({ kind: "exited", code: header[ChannelWord.exitCode]! });
        throw context.unwinding;
      }
      if (answer === Answer.fault) throw this.kill(context, { kind: "kernel", message: `${what}: the kernel ended the process` });
      return channel.readResult();
    };
  }
}

/** Serves one domain until the kernel releases it; nothing of it is reachable afterwards. */
export function runUserDomainThread(boot: DomainBootData, port: MessagePort): void {
  new DomainThread(boot, port).park();
}
