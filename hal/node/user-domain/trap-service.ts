// The kernel's half of one crossing: reads the request from the trap page, calls the kernel's
// trap handler, counts the switch and writes the answer. A batch ring is handed to the handler
// as the bytes the stub copied into the trap page: the kernel reads it and writes it back in
// place. Shared by the worker-backed domain and the simulated one, so both count the same way.
import { BATCH_ENTRY_BYTES, RING_CALL_NAMES, type SyscallDescriptor } from "../../../runtime/abi/index.js";
import type { DomainIdentity, KernelTrapHandler, TrapOutcome } from "../../hil/index.js";
import { liftArguments, writeOutcome } from "./trap-codec.js";
import { TrapWord, type TrapPage } from "./trap-page.js";

/**
 * Counts per call, indexed by call number: a trap is on the hot path, and an array slot costs
 * less than hashing the call's name into a Map. Unknown numbers (a module calling outside the
 * ABI through a forged number) are rare and keep their own map.
 */
class CallCounts {
  private readonly known: number[];
  private readonly unknown = new Map<number, number>();

  constructor(private readonly calls: readonly SyscallDescriptor[]) {
    this.known = new Array<number>(calls.length).fill(0);
  }

  add(syscallNumber: number): void {
    if (syscallNumber >= 0 && syscallNumber < this.known.length) this.known[syscallNumber]!++;
    else this.unknown.set(syscallNumber, (this.unknown.get(syscallNumber) ?? 0) + 1);
  }

  /** By call name, in call-number order; calls never made are left out. */
  byName(): Record<string, number> {
    const counts: Record<string, number> = {};
    this.known.forEach((count, syscallNumber) => { if (count > 0) counts[this.calls[syscallNumber]!.qualifiedName] = count; });
    for (const [syscallNumber, count] of this.unknown) counts[`unknown call ${syscallNumber}`] = count;
    return counts;
  }
}

export class TrapService {
  ringSwitches = 0;
  private readonly traps: CallCounts;
  /** Both directions; differs from twice the traps only by calls the kernel never answered. */
  private readonly switches: CallCounts;
  /** By call number: whether the call's argument is a batch ring (batch.submit, batch.submit-and-wait). */
  private readonly ringCall: readonly boolean[];

  /** `calls`: the kernel's call table, by call number; the HAL knows no other. */
  constructor(private readonly page: TrapPage, private readonly domain: DomainIdentity, private readonly handler: KernelTrapHandler, private readonly calls: readonly SyscallDescriptor[]) {
    this.traps = new CallCounts(calls);
    this.switches = new CallCounts(calls);
    this.ringCall = calls.map((descriptor) => RING_CALL_NAMES.has(descriptor.qualifiedName));
  }

  get trapsByCall(): Record<string, number> { return this.traps.byName(); }
  get ringSwitchesByCall(): Record<string, number> { return this.switches.byName(); }

  /**
   * Serves the request in the trap page. Returns the outcome written, or undefined when the
   * domain was stopped during the call (`isStopped`), in which case nothing is answered. A `wait`
   * outcome (only when `canWait`) is returned unanswered: the caller serves the same request
   * again, as a `retry`, once it settles.
   */
  serve(isStopped: () => boolean, canWait = false, retry = false): TrapOutcome | undefined {
    const syscallNumber = this.page.header[TrapWord.syscallNumber]!;
    const descriptor = this.calls[syscallNumber];
    if (!retry) {
      this.ringSwitches++;
      this.traps.add(syscallNumber);
      this.switches.add(syscallNumber);
    }
    let outcome: TrapOutcome;
    try {
      if (!descriptor) outcome = { kind: "fault", reason: `unknown call ${syscallNumber} is not in the kernel ABI` };
      else outcome = this.handler.handleTrap(this.domain, syscallNumber, this.ringCall[syscallNumber] ? this.batchArguments() : liftArguments(this.page, descriptor), canWait, retry);
      if (isStopped()) return undefined;
      if (outcome.kind === "wait") {
        if (canWait) return outcome;
        outcome = { kind: "fault", reason: `${descriptor?.qualifiedName ?? syscallNumber}: the kernel asked a caller that cannot wait to wait` };
      }
      writeOutcome(this.page, descriptor, outcome);
    } catch (error) {
      if (isStopped()) return undefined;
      const callName = descriptor?.qualifiedName ?? `unknown call ${syscallNumber}`;
      outcome = { kind: "fault", reason: `kernel failed serving ${callName}: ${(error as Error).message}` };
      writeOutcome(this.page, descriptor, outcome);
    }
    this.ringSwitches++;
    this.switches.add(syscallNumber);
    return outcome;
  }

  /** A ring call's arguments: the ring as the stub copied it (read and written in place) and its count. */
  private batchArguments(): [Uint8Array, number] {
    const count = this.page.header[TrapWord.batchCount]!;
    return [this.page.batchRing.subarray(0, count * BATCH_ENTRY_BYTES), count];
  }
}
