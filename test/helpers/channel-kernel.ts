// What the channel suites check around their processes: waiting for a line or an ending on either
// HAL (settling the sim HAL's scheduler, or letting real time pass on the Node HAL), and the
// check every ending must pass: the process holds no handle, no event source, no exchange-heap
// block, and the kernel's process table and name service are empty again.
import { expect } from "chai";
import { openEndpoints } from "../../kernel/channels/index.js";
import type { ExitStatus } from "../../kernel/index.js";
import { eventually, type EventKernel, type EventProcess } from "./event-kernel.js";

/** Settles the sim HAL's scheduler this many times, at most, before calling a process stuck. */
const MAX_SETTLES = 20_000;

/** Runs the kernel until `condition` holds: settles on the sim HAL, lets real time pass on the Node HAL. */
export async function until(system: EventKernel, condition: () => boolean, what: string): Promise<void> {
  if (!system.sim) return eventually(condition, what);
  for (let settle = 0; settle < MAX_SETTLES && !condition(); settle++) await system.settle();
  expect(condition(), `still waiting for ${what} after ${MAX_SETTLES} settles`).to.equal(true);
}

/** Runs the kernel until `process` has printed `text` as a whole line. */
export function untilPrinted(system: EventKernel, process: EventProcess, text: string): Promise<void> {
  return until(system, () => process.lines().includes(text), `${process.process.name} to print '${text}'`);
}

/** Runs the kernel until every process has ended; their statuses in order. */
export async function untilEnded(system: EventKernel, processes: readonly EventProcess[]): Promise<ExitStatus[]> {
  await until(system, () => processes.every((each) => each.process.status !== undefined), "every process to end");
  return Promise.all(processes.map((each) => each.status));
}

/**
 * After `processes` ended: each holds no handle, event source or exchange-heap block; the kernel
 * runs no process; no name is published; no endpoint is open beyond `endpointsBefore` (the count
 * from before the test's processes started).
 */
export async function expectNothingLeaked(system: EventKernel, processes: readonly EventProcess[], endpointsBefore: number): Promise<void> {
  await until(system, () => system.kernel.processes.count === 0, "the process table to empty");
  for (const { process } of processes) {
    expect(process.capabilities.size, `${process.name}: handles released`).to.equal(0);
    expect(process.events.sources, `${process.name}: event sources released`).to.equal(0);
    expect(process.exchange.bytes, `${process.name}: exchange-heap bytes released`).to.equal(0);
    expect(process.exchange.blocks, `${process.name}: exchange-heap blocks released`).to.equal(0);
  }
  expect(system.kernel.services.names!.published, "names published").to.equal(0);
  expect(openEndpoints() - endpointsBefore, "endpoints left open").to.equal(0);
}
