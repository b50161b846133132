// Test helpers for the HAL: a small fake kernel trap handler, app binaries and WAT assembly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Syscall, syscallDescriptors } from "../../runtime/abi/index.js";
import type { AbiValue, KernelTrapHandler, TrapOutcome, UserDomain } from "../../hal/hil/index.js";
import type { ModuleRunSpec } from "../../hal/node/index.js";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

export function appBinary(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(`${projectRoot}apps/${name}/build/${name}.wasm`));
}

export async function assembleWat(name: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  const { default: wabtInit } = await import("wabt");
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, text);
  try {
    return new Uint8Array(module.toBinary({ write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}

/** Records what a process did; answers the bootstrap and console calls a kernel would. */
export class FakeKernel implements KernelTrapHandler {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly calls: number[] = [];
  /** Called before the default answer; returning an outcome overrides it. */
  intercept: ((domain: UserDomain, syscallNumber: number, args: readonly AbiValue[]) => TrapOutcome | undefined) | undefined;

  constructor(readonly args: readonly string[] = [], readonly processId = 7) {}

  get output(): string { return this.stdout.join(""); }

  handleTrap(domain: UserDomain, syscallNumber: number, args: readonly AbiValue[]): TrapOutcome {
    this.calls.push(syscallNumber);
    const intercepted = this.intercept?.(domain, syscallNumber, args);
    if (intercepted) return intercepted;
    switch (syscallNumber) {
      case Syscall.processExit: return { kind: "exit", code: args[0] as number };
      case Syscall.processId: return { kind: "return", value: this.processId };
      case Syscall.processArgCount: return { kind: "return", value: this.args.length };
      case Syscall.processArgGet: return { kind: "return", value: this.args[args[0] as number] ?? "" };
      case Syscall.processAbort: return { kind: "fault", reason: `abort: ${String(args[0])} at ${String(args[1])}:${String(args[2])}:${String(args[3])}` };
      case Syscall.consoleWrite: this.stdout.push(args[0] as string); return { kind: "return", value: (args[0] as string).length };
      case Syscall.consoleWriteError: this.stderr.push(args[0] as string); return { kind: "return", value: (args[0] as string).length };
      case Syscall.clockNow: return { kind: "return", value: 123456789n };
      case Syscall.modeCurrent: return { kind: "return", value: 0 };
      default: return { kind: "return", value: -38 };
    }
  }
}

export function domainSpec(module: Uint8Array | WebAssembly.Module, overrides: Partial<ModuleRunSpec> = {}): ModuleRunSpec {
  return {
    processId: 7,
    name: "test",
    calls: syscallDescriptors,
    module,
    entry: "main",
    memoryLimitPages: 16,
    cpuBudgetMilliseconds: 10_000,
    badPointerPolicy: "efault",
    ...overrides,
  };
}

/** A WAT module that passes (pointer, length) to console.write and returns its result. */
export function consoleWriteModule(pointer: number, length: number, extra = ""): string {
  return `(module
  (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
  (import "singlet:kernel/batch@0.1.0" "submit" (func $submit (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "__stack_pointer") i32 (i32.const 65536))
  (data (i32.const 16) "o\\00k\\00")
  (func (export "main") (result i32)
    (call $write (i32.const ${pointer}) (i32.const ${length})))
  ${extra})`;
}
