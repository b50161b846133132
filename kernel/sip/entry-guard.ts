// A time bound for kernel-domain code that carries no fuel: a module the verifier did not accept
// runs in the kernel domain only for a principal holding CAP_KERNELMODE (trusted by fiat, as in
// Kernel Mode Linux), and nothing in its code stops an endless loop. V8 can interrupt a running
// script from a watchdog thread (`vm` timeouts), Wasm included, and the kernel isolate carries
// on; so every entry into such an app's kernel-domain code runs under one, with the app's CPU
// budget as the bound. Measured about 130 µs per guarded call on these machines: a price only
// those apps pay.
import { Script, createContext } from "node:vm";
import { SyscallFault } from "../syscalls/failure.js";

interface GuardedCall {
  entry: () => unknown;
  result: unknown;
}

const call: GuardedCall = { entry: () => undefined, result: undefined };
/** One context and one compiled script for every guarded call: creating a context costs milliseconds. */
const context = createContext({ call });
const script = new Script("call.result = call.entry()");
let guarding = false;

/** Runs `entry` and stops it after `milliseconds`, ending the process with `cpu-budget`. Nested calls share the outer bound. */
export function runWithinTime<T>(entry: () => T, milliseconds: number): T {
  if (guarding) return entry();
  guarding = true;
  call.entry = entry;
  try {
    script.runInContext(context, { timeout: milliseconds });
    return call.result as T;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      throw new SyscallFault({ kind: "cpu-budget", message: `unverified code ran past its CPU budget of ${milliseconds} ms in the kernel domain` });
    }
    throw error;
  } finally {
    guarding = false;
    call.entry = () => undefined;
    call.result = undefined;
  }
}
