// Fuzz: thousands of seeded mutations of the real apps. The verifier answers every one with a
// verdict (never a throw, never InternalError for bytes V8 accepts), and every accepted mutant
// runs under fuel to a return, a trap or fuel exhaustion, inside a watchdog that catches hangs.
import { expect } from "chai";
import vm from "node:vm";
import { formatVerificationLog, setFuel, verifyModule, type VerdictClass } from "../../verifier/index.js";
import { FuelExhausted, StubKernelExit, builtApps, stubKernelImports } from "./support/apps.js";
import { decodeOriginal, mutate, seededRandom } from "./support/mutate.js";

const SEED = Number(process.env.VERIFIER_FUZZ_SEED ?? 0x5eed);
const MUTANTS = 6_000;
const TIME_BUDGET_MILLISECONDS = 12_000;
const FUEL_PER_RUN = 200_000;
/** A run that takes longer than this is a hang: fuel should have stopped it long before. */
const WATCHDOG_MILLISECONDS = 2_000;

type Outcome = "returned" | "trapped" | "fuel exhausted" | "kernel exit" | "stack overflow";

function classify(error: unknown): Outcome {
  if (error instanceof FuelExhausted) return "fuel exhausted";
  if (error instanceof StubKernelExit) return "kernel exit";
  if (error instanceof WebAssembly.RuntimeError) return "trapped";
  if (error instanceof RangeError && /call stack/.test(error.message)) return "stack overflow";
  throw error;
}

describe("verifier fuzz", function () {
  this.timeout(40_000);

  it(`answers ${MUTANTS} mutants of the apps with a verdict and runs every accepted one to an end (seed ${SEED})`, () => {
    const apps = builtApps().map((app) => ({ ...app, module: decodeOriginal(app.bytes) }));
    expect(apps.length).to.be.at.least(3);
    const random = seededRandom(SEED);
    const watchdog = vm.createContext({ entry: () => undefined });
    const verdicts = new Map<VerdictClass, number>();
    const outcomes = new Map<Outcome, number>();
    const kinds = new Map<string, number>();
    const started = performance.now();
    let done = 0;
    for (; done < MUTANTS && performance.now() - started < TIME_BUDGET_MILLISECONDS; done++) {
      const app = apps[done % apps.length]!;
      const mutation = mutate(app.bytes, app.module, random);
      const where = `mutant ${done} of ${app.name} (${mutation.kind}), seed ${SEED}`;
      const result = verifyModule(mutation.bytes, { validateOutput: true });
      verdicts.set(result.verdict, (verdicts.get(result.verdict) ?? 0) + 1);
      expect(result.verdict, `${where}\n${formatVerificationLog(result)}`).to.not.equal("InternalError");
      expect(result.accepted).to.equal(result.verdict === "Accepted");
      if (!result.accepted) {
        expect(result.findings.length, where).to.be.greaterThan(0);
        continue;
      }
      kinds.set(mutation.kind, (kinds.get(mutation.kind) ?? 0) + 1);
      let outcome: Outcome;
      try {
        watchdog.entry = () => {
          const instance = new WebAssembly.Instance(new WebAssembly.Module(result.output!), stubKernelImports());
          setFuel(instance, FUEL_PER_RUN);
          (instance.exports.main as () => number)();
        };
        vm.runInContext("entry()", watchdog, { timeout: WATCHDOG_MILLISECONDS });
        outcome = "returned";
      } catch (error) {
        expect(String(error), where).to.not.match(/timed out/);
        outcome = classify(error);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const summary = `${done} mutants in ${(performance.now() - started).toFixed(0)} ms; verdicts ${JSON.stringify(Object.fromEntries(verdicts))}; `
      + `accepted runs ${JSON.stringify(Object.fromEntries(outcomes))}`;
    console.log(`      ${summary}`);
    expect(done, summary).to.be.at.least(3_000);
    expect(verdicts.get("Accepted") ?? 0, summary).to.be.greaterThan(100);
    expect(outcomes.get("fuel exhausted") ?? 0, summary).to.be.greaterThan(10);
  });
});
