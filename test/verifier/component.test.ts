// The jco conformance check: every app wraps as a component of the kernel's world; a module
// outside the world does not, and jco's reason says why.
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkComponent, verifyModule } from "../../verifier/index.js";
import { assemble, kernelApp } from "./support/assemble.js";
import { builtApps, projectRoot } from "./support/apps.js";

const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

describe("verifier component check (jco)", function () {
  this.timeout(60_000);

  it("wraps every app as a component of the app world", async () => {
    for (const app of builtApps()) {
      const check = await checkComponent(app.bytes);
      expect(check.ok, `${app.name}: ${check.reason}`).to.equal(true);
      expect([...check.componentBytes!.subarray(0, 8)]).to.deep.equal(COMPONENT_PREAMBLE);
    }
  });

  it("finds the component the app build wrote beside each module", () => {
    for (const app of builtApps()) {
      expect(existsSync(join(projectRoot, "apps", app.name, "build", `${app.name}.component.wasm`)), app.name).to.equal(true);
    }
  });

  it("refuses a module that imports outside the world, naming the import", async () => {
    const check = await checkComponent(await assemble(kernelApp(`(import "env" "abort" (func (param i32 i32 i32 i32)))`)));
    expect(check.ok).to.equal(false);
    expect(check.reason).to.include("env");
  });

  it("refuses a main whose type is not the world's", async () => {
    const wat = kernelApp().replace(`(func (export "main") (result i32) (i32.const 0))`, `(func (export "main") (param i32) (result i32) (local.get 0))`);
    const check = await checkComponent(await assemble(wat));
    expect(check.ok).to.equal(false);
    expect(check.reason).to.include("main");
  });

  it("agrees with the fast ABI check on a wrong kernel import signature", async () => {
    const bytes = await assemble(kernelApp(`(import "singlet:kernel/clock@0.1.0" "now" (func (result i32)))`));
    expect(verifyModule(bytes).findings[0]!.code).to.equal("import-signature-mismatch");
    const check = await checkComponent(bytes);
    expect(check.ok).to.equal(false);
    expect(check.reason).to.include("now");
  });
});
