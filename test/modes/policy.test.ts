// Conformance: the system policy — the shipped file's safe default, principals holding kernel
// capabilities in capability tables, and refusals of malformed policies.
import { expect } from "chai";
import { resolve } from "node:path";
import { CapabilityKind, DEFAULT_SYSTEM_POLICY, parseSystemPolicy, PolicyError, principalFromPolicy, readSystemPolicy } from "../../kernel/index.js";
import { projectRoot } from "../helpers/kernel.js";

const shippedPolicyPath = resolve(projectRoot, "kernel", "policy", "system-policy.json");

describe("modes/system policy", () => {
  it("gives the default principal of the shipped policy CAP_KRNLMODEBYPAGE only", () => {
    const principal = principalFromPolicy(readSystemPolicy(shippedPolicyPath));
    expect(principal.name).to.equal("user");
    expect(principal.holdsKernelModeByPage).to.equal(true);
    expect(principal.holdsKernelMode).to.equal(false);
    expect(principal.kernelModeTrustFor(true)).to.equal("kernelModeByPage");
    expect(principal.kernelModeTrustFor(false)).to.equal(undefined);
  });

  it("states the same default in code for kernels started without a policy file", () => {
    const principal = principalFromPolicy(DEFAULT_SYSTEM_POLICY);
    expect([principal.holdsKernelModeByPage, principal.holdsKernelMode]).to.deep.equal([true, false]);
  });

  it("holds trust as capabilities, so revoking one takes it away", () => {
    const root = principalFromPolicy(readSystemPolicy(shippedPolicyPath), "root");
    expect(root.kernelModeTrustFor(false)).to.equal("kernelMode");
    root.revoke(CapabilityKind.kernelMode);
    expect(root.kernelModeTrustFor(false)).to.equal(undefined);
  });

  it("trusts the guest principal with nothing", () => {
    expect(principalFromPolicy(readSystemPolicy(shippedPolicyPath), "guest").kernelModeTrustFor(true)).to.equal(undefined);
  });

  it("refuses an unknown principal, naming the known ones", () => {
    expect(() => principalFromPolicy(DEFAULT_SYSTEM_POLICY, "mallory")).to.throw(PolicyError, /no principal 'mallory' \(known: user\)/);
  });

  it("refuses a policy granting a capability that is not a kernel-mode capability", () => {
    expect(() => parseSystemPolicy({ version: 1, defaultPrincipal: "a", principals: { a: { capabilities: ["console"] } } }))
      .to.throw(PolicyError, /principal 'a' has 'console'/);
  });

  it("refuses a default principal the policy does not define", () => {
    expect(() => parseSystemPolicy({ version: 1, defaultPrincipal: "b", principals: { a: { capabilities: [] } } })).to.throw(PolicyError, /defaultPrincipal/);
  });
});
