// A hostile case run beside a healthy app: the case's module and apps/hello (with arguments) run
// at once on one kernel, and afterwards the kernel must hold nothing of the case — no process,
// no capability, no user-domain thread — while hello printed exactly what it always prints.
import { expect } from "chai";
import { bootKernel, principalFromPolicy, type ExitStatus, type FaultKind, type Kernel, type Process, type SystemPolicy } from "../../../kernel/index.js";
import type { Domain } from "../../../kernel/index.js";
import type { Manifest } from "../../../runtime/abi/index.js";
import type { NodeCpu } from "../../../hal/node/index.js";
import { appBytes, spawnCaptured, type CapturedRun } from "../../helpers/kernel.js";

export const DOMAINS: readonly Domain[] = ["kernel", "user"];

/** What hello prints for `args`: the healthy app's whole output. */
export function helloOutput(args: readonly string[]): string {
  return `Hello from Singlet!\nargs: ${args.length > 0 ? args.join(" ") : "(none)"}\n`;
}

/** A kernel like the test kernel, optionally under a system policy of the test's own. */
export function hostileKernel(policy?: SystemPolicy): Kernel {
  return bootKernel({ policy, devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
}

export function liveDomainsOf(kernel: Kernel): number {
  return (kernel.devices.cpu as NodeCpu).liveDomains;
}

export interface BesideHelloOptions {
  readonly domain: Domain;
  readonly args?: readonly string[];
  readonly policy?: SystemPolicy;
  /** The principal's name in `policy`; the policy's default principal when omitted. */
  readonly principal?: string;
  /** Looks at the case's process once it has ended, before the kernel shuts down (its domain's stats). */
  readonly inspect?: (process: Process) => void;
}

export interface BesideHelloResult {
  readonly run: CapturedRun;
  readonly status: ExitStatus;
}

/**
 * Loads `bytes` with `manifest`, spawns it in `options.domain` beside hello (same domain), waits
 * for both, and checks what every hostile case must leave behind. Hello runs in the same domain
 * as the case, so a user-domain case shares the CPU's threads with a healthy user domain.
 */
export async function runBesideHello(bytes: Uint8Array<ArrayBuffer>, manifest: Manifest, options: BesideHelloOptions): Promise<BesideHelloResult> {
  const kernel = hostileKernel(options.policy);
  try {
    // The policy's own reading of the principal, so its limits apply exactly as the kernel applies them.
    const principal = options.principal !== undefined ? principalFromPolicy(kernel.policy, options.principal) : undefined;
    const image = kernel.load(bytes, { manifest });
    const hello = kernel.load(appBytes("hello"), {});
    const helloArgs = ["beside", manifest.name ?? "case", "in", options.domain];
    const hostile = spawnCaptured(kernel, image, { domain: options.domain, args: options.args, principal });
    const healthy = spawnCaptured(kernel, hello, { domain: options.domain, args: helloArgs });
    const [run, bystander] = await Promise.all([hostile.done, healthy.done]);
    expect(bystander.status, "the healthy app ends normally").to.deep.equal({ kind: "exited", code: 0 });
    expect(bystander.stdout, "the healthy app prints what it always prints").to.equal(helloOutput(helloArgs));
    expectNothingLeft(kernel, run.process);
    options.inspect?.(run.process);
    return { run, status: run.status };
  } finally {
    await kernel.shutdown();
  }
}

/** After a case: no process left, the case's capabilities released, no user-domain thread left. */
export function expectNothingLeft(kernel: Kernel, process: Process): void {
  expect(kernel.processes.count, "no process is left").to.equal(0);
  expect(process.capabilities.size, "the process's capabilities are released").to.equal(0);
  expect(liveDomainsOf(kernel), "no user-domain thread is left").to.equal(0);
}

/** The fault of a status, failing the test when the process did not fault. */
export function faultOf(status: ExitStatus): { kind: FaultKind; message: string; functionName?: string } {
  expect(status.kind, `expected a fault, got ${JSON.stringify(status)}`).to.equal("faulted");
  if (status.kind !== "faulted") throw new Error("unreachable");
  return status.fault;
}
