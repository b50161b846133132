// The fault matrix: every fault kind a module can provoke, run in both domains beside a healthy
// app, must read the same wherever it ran — the same kind, message and faulting function. Function
// indices and byte offsets are not compared: the kernel domain runs the fuel-instrumented module,
// whose fuel import shifts every function index by one and whose fuel checks move every offset.
import { expect } from "chai";
import type { ExitStatus, FaultReport } from "../../kernel/index.js";
import type { Manifest } from "../../runtime/abi/index.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";
import { DOMAINS, runBesideHello } from "./support/beside-hello.js";

const PROCESS = "singlet:kernel/process@0.1.0";
const ABORT_IMPORT = `(import "${PROCESS}" "abort" (func $abort (param i32 i32 i32 i32 i32 i32)))`;
const ARG_GET_IMPORT = `(import "${PROCESS}" "arg-get" (func $argGet (param i32 i32)))`;
const WRITE_IMPORT = `(import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))`;
const EXIT_IMPORT = `(import "${PROCESS}" "exit" (func $exit (param i32)))`;
/** Small budgets, so the runaway rows end quickly in either domain. */
const FUEL_BUDGET = 1_000_000;
const CPU_MILLISECONDS = 200;

/** What a row expects: the same in both domains unless `user` says otherwise. */
type Expected =
  | { readonly exited: number }
  | { readonly kind: FaultReport["kind"]; readonly message: string | RegExp; readonly functionName?: string; readonly file?: string; readonly line?: number; readonly column?: number };

interface FaultRow {
  readonly name: string;
  readonly wat: string;
  readonly kernel: Expected;
  /** Present only where the domains differ by design; the row says why. */
  readonly user?: Expected;
  readonly args?: readonly string[];
}

const rows: readonly FaultRow[] = [
  { name: "unreachable", wat: conformantModule("", "(unreachable)"), kernel: { kind: "trap", message: "unreachable", functionName: "main" } },
  { name: "an integer divide by zero", wat: conformantModule("", "(i32.div_s (i32.const 1) (i32.const 0))"), kernel: { kind: "trap", message: "divide by zero", functionName: "main" } },
  { name: "an integer overflow in division", wat: conformantModule("", "(i32.div_s (i32.const 0x80000000) (i32.const -1))"), kernel: { kind: "trap", message: "divide result unrepresentable", functionName: "main" } },
  { name: "a float conversion out of range", wat: conformantModule("", "(i32.trunc_f32_s (f32.const nan))"), kernel: { kind: "trap", message: "float unrepresentable in integer range", functionName: "main" } },
  { name: "an out-of-bounds memory access", wat: conformantModule("", "(i32.load (i32.const 0x7ffffff0))"), kernel: { kind: "trap", message: "memory access out of bounds", functionName: "main" } },
  {
    name: "an indirect call through an empty table slot",
    wat: conformantModule("", "(call_indirect $slots (type $nullary) (i32.const 0))", `(type $nullary (func (result i32))) (table $slots 1 1 funcref)`),
    kernel: { kind: "trap", message: "null function or function signature mismatch", functionName: "main" },
  },
  {
    name: "stack overflow by infinite recursion",
    wat: conformantModule("", "(call $deeper (i32.const 0))", `(func $deeper (param i32) (result i32) (i32.add (call $deeper (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))`),
    kernel: { kind: "stack-overflow", message: "Maximum call stack size exceeded", functionName: "deeper" },
  },
  {
    name: "process.abort with a message and a location",
    wat: conformantModule(ABORT_IMPORT, "(call $abort (i32.const 8192) (i32.const 4) (i32.const 8200) (i32.const 6) (i32.const 12) (i32.const 5)) (i32.const 0)",
      `(data (i32.const 8192) "b\\00o\\00o\\00m\\00a\\00p\\00p\\00.\\00t\\00s\\00")`),
    kernel: { kind: "abort", message: "boom", file: "app.ts", line: 12, column: 5 },
  },
  {
    // process.abort returns nothing, so a bad pointer cannot be answered with an error code.
    name: "a kernel call that cannot return an error code given a pointer outside memory",
    wat: conformantModule(ABORT_IMPORT, "(call $abort (i32.const 0xfffff000) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1)) (i32.const 0)"),
    kernel: { kind: "bad-address", message: "process.abort: bad address: 200 bytes at 0xfffff000 (memory is 65536 bytes)" },
  },
  {
    // The result's (pointer, length) pair goes to the pointer the caller gave: nowhere to answer an error.
    name: "a kernel result written to a return pointer outside memory",
    wat: conformantModule(ARG_GET_IMPORT, "(call $argGet (i32.const 0) (i32.const 0xfffffff0)) (i32.const 0)"),
    args: ["an-argument"],
    kernel: { kind: "bad-address", message: "process.arg-get: bad address: 8 bytes at 0xfffffff0 (memory is 65536 bytes)" },
  },
  {
    // console.write returns s32: a bad pointer is its caller's error to handle, not a fault.
    name: "a kernel call that can return an error code given a pointer outside memory, which answers -14 (badAddress),",
    wat: conformantModule(WRITE_IMPORT, "(call $write (i32.const 0xfffff000) (i32.const 100))"),
    kernel: { exited: -14 },
  },
  {
    // Why the two differ: in the kernel domain the module runs instrumented with fuel, counted per
    // instruction block, so a runaway ends after exactly its budget of work; a user domain runs the
    // module as loaded (no fuel: it is protected by its own thread, not by instrumentation), so only
    // its thread's CPU time can bound it, and the kernel terminates the thread when that runs out.
    name: "an endless loop",
    wat: conformantModule("", "(loop $forever (br $forever)) (i32.const 0)"),
    kernel: { kind: "fuel-exhausted", message: `entry used its fuel budget of ${FUEL_BUDGET}` },
    user: { kind: "cpu-budget", message: new RegExp(`^ran \\d+\\.\\d ms in user mode without waiting \\(budget ${CPU_MILLISECONDS} ms\\)$`) },
  },
  { name: "process.exit with a code", wat: conformantModule(EXIT_IMPORT, "(call $exit (i32.const 42)) (unreachable)"), kernel: { exited: 42 } },
  { name: "process.exit with a negative code", wat: conformantModule(EXIT_IMPORT, "(call $exit (i32.const -7)) (unreachable)"), kernel: { exited: -7 } },
  { name: "main returning a code", wat: conformantModule("", "(i32.const 3)"), kernel: { exited: 3 } },
];

/** What a status shows that must not depend on the domain. */
function comparable(status: ExitStatus): Record<string, unknown> {
  if (status.kind === "exited") return { exited: status.code };
  const { kind, message, functionName, file, line, column } = status.fault;
  return { kind, message, functionName, file, line, column };
}

function expectMatches(status: ExitStatus, expected: Expected, domain: string): void {
  if ("exited" in expected) {
    expect(status, `${domain} domain`).to.deep.equal({ kind: "exited", code: expected.exited });
    return;
  }
  expect(status.kind, `${domain} domain: ${JSON.stringify(status)}`).to.equal("faulted");
  if (status.kind !== "faulted") return;
  const fault = status.fault;
  expect(fault.kind, `${domain} domain: ${JSON.stringify(fault)}`).to.equal(expected.kind);
  if (typeof expected.message === "string") expect(fault.message, `${domain} domain`).to.equal(expected.message);
  else expect(fault.message, `${domain} domain`).to.match(expected.message);
  expect(fault.functionName, `${domain} domain names the faulting function`).to.equal(expected.functionName);
  if (expected.file !== undefined) expect({ file: fault.file, line: fault.line, column: fault.column }).to.deep.equal({ file: expected.file, line: expected.line, column: expected.column });
}

function manifestFor(name: string): Manifest {
  // The console capability: every row holds one, so its release is checked after every ending.
  return { ...fixtureManifest(name, ["console"]), limits: { fuelPerEntry: FUEL_BUDGET, cpuMilliseconds: CPU_MILLISECONDS } };
}

describe("hostile/fault matrix", function () {
  this.timeout(60000);

  for (const row of rows) {
    const verdict = row.user ? "each domain's own fault kind"
      : "exited" in row.kernel ? "the same exit code in both domains" : "the same kind, message and function in both domains";
    it(`reports ${row.name} as ${verdict}`, async () => {
      const bytes = await assembleWat(row.wat);
      const statuses: Partial<Record<(typeof DOMAINS)[number], ExitStatus>> = {};
      for (const domain of DOMAINS) {
        const { status } = await runBesideHello(bytes, manifestFor("hostile"), { domain, args: row.args });
        expectMatches(status, domain === "user" ? row.user ?? row.kernel : row.kernel, domain);
        statuses[domain] = status;
      }
      if (!row.user) expect(comparable(statuses.user!), "the user domain reports what the kernel domain reports").to.deep.equal(comparable(statuses.kernel!));
    });
  }
});
