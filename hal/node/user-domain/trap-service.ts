// The kernel's half of one crossing: reads the request from the trap page, calls the kernel's
// trap handler (or services a batch ring through it), counts the switch and writes the answer.
// Shared by the worker-backed domain and the simulated one, so both count the same way.
import { syscallDescriptors } from "../../../runtime/abi/index.js";
import type { DomainIdentity, KernelTrapHandler, TrapOutcome } from "../../hil/index.js";
import { BATCH_ENTRY_BYTES, batchSubmitDescriptor, serviceBatch } from "./batch-ring.js";
import { liftArguments, writeOutcome } from "./trap-codec.js";
import { TrapWord, type TrapPage } from "./trap-page.js";

function increment(counts: Map<string, number>, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

export class TrapService {
  ringSwitches = 0;
  readonly trapsByCall = new Map<string, number>();
  /** Both directions; differs from twice the traps only by calls the kernel never answered. */
  readonly ringSwitchesByCall = new Map<string, number>();
  readonly batchedByCall = new Map<string, number>();

  constructor(private readonly page: TrapPage, private readonly domain: DomainIdentity, private readonly handler: KernelTrapHandler) {}

  /**
   * Serves the request in the trap page. Returns the outcome written, or undefined when the
   * domain was stopped during the call (`isStopped`), in which case nothing is answered.
   */
  serve(isStopped: () => boolean): TrapOutcome | undefined {
    const syscallNumber = this.page.header[TrapWord.syscallNumber]!;
    const descriptor = syscallDescriptors[syscallNumber];
    const callName = descriptor?.qualifiedName ?? `unknown call ${syscallNumber}`;
    this.ringSwitches++;
    increment(this.trapsByCall, callName);
    increment(this.ringSwitchesByCall, callName);
    let outcome: TrapOutcome;
    try {
      if (!descriptor) outcome = { kind: "fault", reason: `${callName} is not in the kernel ABI` };
      else if (descriptor === batchSubmitDescriptor) outcome = this.serveBatch();
      else outcome = this.handler.handleTrap(this.domain, syscallNumber, liftArguments(this.page, descriptor));
      if (isStopped()) return undefined;
      writeOutcome(this.page, descriptor, outcome);
    } catch (error) {
      if (isStopped()) return undefined;
      outcome = { kind: "fault", reason: `kernel failed serving ${callName}: ${(error as Error).message}` };
      writeOutcome(this.page, descriptor, outcome);
    }
    this.ringSwitches++;
    increment(this.ringSwitchesByCall, callName);
    return outcome;
  }

  private serveBatch(): TrapOutcome {
    const count = this.page.header[TrapWord.batchCount]!;
    const result = serviceBatch(this.page.batchRing.subarray(0, count * BATCH_ENTRY_BYTES), count, (syscallNumber, args, descriptor) => {
      increment(this.batchedByCall, descriptor.qualifiedName);
      return this.handler.handleTrap(this.domain, syscallNumber, args);
    });
    return result.stoppedBy ?? { kind: "return", value: result.completed };
  }
}
