// Hostile manifests and policies: capability and principal names that are properties every
// JavaScript object inherits must be refused like any other unknown name, never granted.
import { expect } from "chai";
import { capabilityKindByName, DEFAULT_SYSTEM_POLICY, LoadError, parseSystemPolicy, PolicyError, principalFromPolicy } from "../../kernel/index.js";
import { testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

/** Names an object lookup would answer with an inherited value. */
const INHERITED_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"] as const;

describe("hostile/capability names", function () {
  this.timeout(30000);

  for (const name of INHERITED_NAMES) {
    it(`knows no capability kind called '${name}'`, () => {
      expect(capabilityKindByName(name)).to.equal(undefined);
    });
  }

  for (const domain of ["kernel", "user"] as const) {
    for (const name of INHERITED_NAMES) {
      it(`refuses to spawn a ${domain}-domain process whose manifest asks for '${name}', holding nothing afterwards`, async () => {
        const kernel = testKernel();
        const bytes = await assembleWat(conformantModule("", "(i32.const 0)"));
        const image = kernel.load(bytes, { manifest: fixtureManifest(`asks-${name}`, ["console", name]) });
        expect(image.verified).to.equal(true);
        let refusal: unknown;
        try {
          kernel.spawn(image, { domain, output: () => undefined });
        } catch (error) {
          refusal = error;
        }
        expect(refusal).to.be.instanceOf(LoadError);
        expect((refusal as LoadError).message).to.contain(`unknown capability '${name}'`);
        expect((refusal as LoadError).errorCode).to.be.greaterThan(0);
        expect(kernel.processes.count).to.equal(0);
        await kernel.shutdown();
      });
    }
  }

  for (const name of INHERITED_NAMES) {
    it(`refuses a system policy whose principal holds '${name}'`, () => {
      const policy = { version: 1, defaultPrincipal: "user", principals: { user: { capabilities: [name] } } };
      expect(() => parseSystemPolicy(policy)).to.throw(PolicyError, new RegExp(`has '${name}'`));
    });
  }

  for (const name of ["constructor", "toString", "hasOwnProperty"]) {
    it(`refuses '${name}' as the default principal or a principal to run as`, () => {
      const policy = { version: 1, defaultPrincipal: name, principals: { user: { capabilities: [] } } };
      expect(() => parseSystemPolicy(policy)).to.throw(PolicyError, /'defaultPrincipal' must name one of the principals/);
      expect(() => principalFromPolicy(DEFAULT_SYSTEM_POLICY, name)).to.throw(PolicyError, new RegExp(`no principal '${name}'`));
    });
  }
});
