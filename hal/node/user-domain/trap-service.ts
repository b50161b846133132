// The kernel's half of one crossing: reads the request from the trap page, calls the kernel's
// trap handler (or services a batch ring through it), counts the switch and writes the answer.
// Shared by the worker-backed domain and the simulated one, so both count the same way.
import { syscallDescriptors } from "../../../runtime/abi/index.js";
import type { DomainIdentity, KernelTrapHandler, TrapOutcome } from "../../hil/index.js";
import { BATCH_ENTRY_BYTES, batchSubmitDescriptor, serviceBatch } from "./batch-ring.js";
import { liftArguments, writeOutcome } from "./trap-codec.js";
import { TrapWord, type TrapPage } from "./trap-page.js";

/**
 * Counts per call, indexed by call number: a trap is on the hot path, and an array slot costs
 * less than hashing the call's name into a Map. Unknown numbers (a module calling outside the
 * ABI through a forged number) are rare and keep their own map.
 */
class CallCounts {
  private readonly known = new Array<number>(syscallDescriptors.length).fill(0);
  private readonly unknown = new Map<number, number>();

  add(syscallNumber: number): void {
    if (syscallNumber >= 0 && syscallNumber < this.known.length) this.known[syscallNumber]!++;
    else this.unknown.set(syscallNumber, (this.unknown.get(syscallNumber) ?? 0) + 1);
  }

  /** By call name, in call-number order; calls never made are left out. */
  byName(): Record<string, number> {
    const counts: Record<string, number> = {};
    this.known.forEach((count, syscallNumber) => { if (count > 0) counts[syscallDescriptors[syscallNumber]!.qualifiedName] = count; });
    for (const [syscallNumber, count] of this.unknown) counts[`unknown call ${syscallNumber}`] = count;
    return counts;
  }
}

export class TrapService {
  ringSwitches = 0;
  private readonly traps = new CallCounts();
  /** Both directions; differs from twice the traps only by calls the kernel never answered. */
  private readonly switches = new CallCounts();
  private readonly batched = new CallCounts();

  constructor(private readonly page: TrapPage, private readonly domain: DomainIdentity, private readonly handler: KernelTrapHandler) {}

  get trapsByCall(): Record<string, number> { return this.traps.byName(); }
  get ringSwitchesByCall(): Record<string, number> { return this.switches.byName(); }
  get batchedByCall(): Record<string, number> { return this.batched.byName(); }

  /**
   * Serves the request in the trap page. Returns the outcome written, or undefined when the
   * domain was stopped during the call (`isStopped`), in which case nothing is answered.
   */
  serve(isStopped: () => boolean): TrapOutcome | undefined {
    const syscallNumber = this.page.header[TrapWord.syscallNumber]!;
    const descriptor = syscallDescriptors[syscallNumber];
    this.ringSwitches++;
    this.traps.add(syscallNumber);
    this.switches.add(syscallNumber);
    let outcome: TrapOutcome;
    try {
      if (!descriptor) outcome = { kind: "fault", reason: `unknown call ${syscallNumber} is not in the kernel ABI` };
      else if (descriptor === batchSubmitDescriptor) outcome = this.serveBatch();
      else outcome = this.handler.handleTrap(this.domain, syscallNumber, liftArguments(this.page, descriptor));
      if (isStopped()) return undefined;
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

  private serveBatch(): TrapOutcome {
    const count = this.page.header[TrapWord.batchCount]!;
    const result = serviceBatch(this.page.batchRing.subarray(0, count * BATCH_ENTRY_BYTES), count, (syscallNumber, args) => {
      this.batched.add(syscallNumber);
      return this.handler.handleTrap(this.domain, syscallNumber, args);
    });
    return result.stoppedBy ?? { kind: "return", value: result.completed };
  }
}
