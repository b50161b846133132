// Conformance: the mode truth table of DESIGN.md walked row by row — caller mode × callee
// attribute × callee verified × principal capability — checking where the call ran, its
// result, the link plan and the mode switches it cost. Rows that need a user domain run in a
// real one: the HAL's linked domain, a worker isolate per process, where every upcall, kernel
// jump and kernel call is a ring switch the HAL counts.
import { expect } from "chai";
import { defaultUserDomainHost, LinkError, principalHolding, runApp, type LinkRule, type ResolutionKind } from "../../kernel/index.js";
import { quietKernel, twoModuleApp } from "./app-fixtures.js";

type Principal = "none" | "byPage" | "kernelMode";
type Outcome =
  | { readonly kind: ResolutionKind; readonly calleeRanIn: 0 | 1; readonly modeSwitches: number }
  | { readonly refused: LinkRule; readonly at: string };

interface Row {
  readonly caller: "kernel" | "user";
  readonly callee: "kernel" | "user" | "callers";
  readonly verified: boolean;
  readonly principal: Principal;
  readonly expect: Outcome;
}

const ranKernel = (kind: ResolutionKind, modeSwitches: number): Outcome => ({ kind, calleeRanIn: 1, modeSwitches });
const ranUser = (kind: ResolutionKind, modeSwitches: number): Outcome => ({ kind, calleeRanIn: 0, modeSwitches });
const refused = (rule: LinkRule, at: string): Outcome => ({ refused: rule, at });

// caller   callee      verified  principal       outcome
const rows: Row[] = [
  { caller: "kernel", callee: "kernel", verified: true, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },
  { caller: "kernel", callee: "kernel", verified: false, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },
  { caller: "kernel", callee: "user", verified: true, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },
  { caller: "kernel", callee: "user", verified: false, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },
  { caller: "kernel", callee: "callers", verified: true, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },
  { caller: "kernel", callee: "callers", verified: false, principal: "none", expect: refused("kernel-mode-without-capability", "caller.main") },

  { caller: "kernel", callee: "kernel", verified: true, principal: "byPage", expect: ranKernel("direct", 0) },
  { caller: "kernel", callee: "kernel", verified: false, principal: "byPage", expect: refused("kernel-mode-without-capability", "callee.probe") },
  { caller: "kernel", callee: "user", verified: true, principal: "byPage", expect: ranUser("upcall", 2) },
  { caller: "kernel", callee: "user", verified: false, principal: "byPage", expect: ranUser("upcall", 2) },
  { caller: "kernel", callee: "callers", verified: true, principal: "byPage", expect: ranKernel("direct", 0) },
  { caller: "kernel", callee: "callers", verified: false, principal: "byPage", expect: refused("callers-mode-unverified-in-kernel", "callee.probe") },

  { caller: "kernel", callee: "kernel", verified: true, principal: "kernelMode", expect: ranKernel("direct", 0) },
  { caller: "kernel", callee: "kernel", verified: false, principal: "kernelMode", expect: ranKernel("direct", 0) },
  { caller: "kernel", callee: "user", verified: true, principal: "kernelMode", expect: ranUser("upcall", 2) },
  { caller: "kernel", callee: "user", verified: false, principal: "kernelMode", expect: ranUser("upcall", 2) },
  { caller: "kernel", callee: "callers", verified: true, principal: "kernelMode", expect: ranKernel("direct", 0) },
  { caller: "kernel", callee: "callers", verified: false, principal: "kernelMode", expect: ranKernel("direct", 0) },

  { caller: "user", callee: "kernel", verified: true, principal: "none", expect: refused("kernel-mode-without-capability", "callee.probe") },
  { caller: "user", callee: "kernel", verified: false, principal: "none", expect: refused("kernel-mode-without-capability", "callee.probe") },
  { caller: "user", callee: "user", verified: true, principal: "none", expect: ranUser("direct", 0) },
  { caller: "user", callee: "user", verified: false, principal: "none", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: true, principal: "none", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: false, principal: "none", expect: ranUser("direct", 0) },

  { caller: "user", callee: "kernel", verified: true, principal: "byPage", expect: ranKernel("kernel-jump", 2) },
  { caller: "user", callee: "kernel", verified: false, principal: "byPage", expect: refused("kernel-mode-without-capability", "callee.probe") },
  { caller: "user", callee: "user", verified: true, principal: "byPage", expect: ranUser("direct", 0) },
  { caller: "user", callee: "user", verified: false, principal: "byPage", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: true, principal: "byPage", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: false, principal: "byPage", expect: ranUser("direct", 0) },

  { caller: "user", callee: "kernel", verified: true, principal: "kernelMode", expect: ranKernel("kernel-jump", 2) },
  { caller: "user", callee: "kernel", verified: false, principal: "kernelMode", expect: ranKernel("kernel-jump", 2) },
  { caller: "user", callee: "user", verified: true, principal: "kernelMode", expect: ranUser("direct", 0) },
  { caller: "user", callee: "user", verified: false, principal: "kernelMode", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: true, principal: "kernelMode", expect: ranUser("direct", 0) },
  { caller: "user", callee: "callers", verified: false, principal: "kernelMode", expect: ranUser("direct", 0) },
];

function principalFor(name: Principal) {
  return principalHolding(name, name === "none" ? [] : name === "byPage" ? ["kernelModeByPage"] : ["kernelMode"]);
}

describe("modes/truth table (user domains: HAL worker isolates)", () => {
  it("walks all 36 combinations of caller mode, callee attribute, verification and principal", () => {
    expect(rows).to.have.length(2 * 3 * 2 * 3);
    const keys = new Set(rows.map((row) => `${row.caller}/${row.callee}/${row.verified}/${row.principal}`));
    expect(keys.size).to.equal(36);
  });

  it("runs its user-domain rows on a host that is a protection boundary", () => {
    expect(defaultUserDomainHost(quietKernel())?.isProtectionBoundary).to.equal(true);
  });

  for (const row of rows) {
    const outcome = row.expect;
    const title = `${row.caller} caller → ${row.callee}-mode callee, ${row.verified ? "verified" : "unverified"}, principal ${row.principal}: `
      + ("refused" in outcome ? `refused at link time by rule ${outcome.refused}` : `${outcome.kind} call, runs in ${outcome.calleeRanIn ? "kernel" : "user"} mode, ${outcome.modeSwitches} mode switches`);
    it(title, async () => {
      const kernel = quietKernel();
      const app = await twoModuleApp(kernel, { callerMode: row.caller, calleeMode: row.callee, calleeVerified: row.verified });
      const run = runApp(kernel, app, { principal: principalFor(row.principal) });
      if ("refused" in outcome) {
        const error = await run.then(() => undefined, (caught: unknown) => caught);
        expect(error).to.be.instanceOf(LinkError);
        const linkError = error as LinkError;
        expect(linkError.rule).to.equal(outcome.refused);
        expect(`${linkError.moduleName}.${linkError.functionName}`).to.equal(outcome.at);
        expect(linkError.message).to.contain(outcome.at).and.to.contain(outcome.refused);
        expect(kernel.processes.count, "no process is left behind").to.equal(0);
        return;
      }
      const { status, linked } = await run;
      const callerRanIn = row.caller === "kernel" ? 1 : 0;
      expect(status).to.deep.equal({ kind: "exited", code: callerRanIn * 100 + 40 + outcome.calleeRanIn });
      const [edge] = linked.plan.edges;
      expect(edge).to.include({ kind: outcome.kind, functionName: "probe", attribute: row.callee });
      expect(edge!.caller).to.deep.equal({ module: "caller", domain: row.caller });
      expect(edge!.callee).to.deep.equal({ module: "callee", domain: outcome.calleeRanIn ? "kernel" : "user" });
      expect(linked.counters[0]!.modeSwitches).to.equal(outcome.modeSwitches);
      expect(linked.counters[0]!.calls).to.equal(outcome.kind === "direct" ? undefined : 1);
      // Ring switches the HAL counted: two per instantiation in the user domain, two for main
      // when it runs there, two per mode.current a user-domain instance asks, plus the edge's own.
      const userInstances = linked.plan.instances.filter((instance) => instance.domain === "user").length;
      const userModeQuestions = (row.caller === "user" ? 1 : 0) + (outcome.calleeRanIn === 0 ? 1 : 0);
      const expectedRingSwitches = 2 * userInstances + (row.caller === "user" ? 2 : 0) + 2 * userModeQuestions + outcome.modeSwitches;
      expect(linked.userDomain?.crossings ?? 0, "ring switches counted by the HAL").to.equal(expectedRingSwitches);
    });
  }
});
