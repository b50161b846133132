// Unverified code that a principal holding CAP_KERNELMODE runs in the kernel domain carries no
// fuel: its entries run under a time bound (kernel/sip/entry-guard.ts), so an endless loop ends
// its process with cpu-budget instead of hanging the kernel thread forever.
import { expect } from "chai";
import { readSystemPolicy, type SystemPolicy } from "../../kernel/index.js";
import { resolve } from "node:path";
import { projectRoot } from "../helpers/kernel.js";
import { assembleWat } from "../helpers/wat.js";
import { faultOf, runBesideHello } from "./support/beside-hello.js";

const shippedPolicy: SystemPolicy = readSystemPolicy(resolve(projectRoot, "kernel", "policy", "system-policy.json"));

/** Valid, but refused by the verifier (no entry points declared): never verified, so never fuelled. */
function unverified(mainBody: string, extra = ""): string {
  return `(module
    (memory (export "memory") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    ${extra}
    (func (export "main") (result i32) ${mainBody}))`;
}

const CASES = [
  { name: "an endless loop in main", wat: unverified("(loop $forever (br $forever)) (i32.const 0)") },
  { name: "an endless loop in its start function", wat: unverified("(i32.const 0)", "(func $spin (loop $forever (br $forever))) (start $spin)") },
  { name: "an endless loop of calls to another function", wat: unverified("(call $a) (i32.const 0)", "(func $a (loop $again (call $b) (br $again))) (func $b (nop))") },
];

describe("hostile/unverified code trusted by fiat (CAP_KERNELMODE)", function () {
  this.timeout(30000);

  for (const row of CASES) {
    it(`ends ${row.name} in the kernel domain with cpu-budget, beside a healthy app`, async () => {
      const { run, status } = await runBesideHello(await assembleWat(row.wat), { name: "unfuelled", limits: { cpuMilliseconds: 200 } }, {
        domain: "kernel", policy: shippedPolicy, principal: "root",
      });
      expect(run.process.domain).to.equal("kernel");
      const fault = faultOf(status);
      expect(fault.kind).to.equal("cpu-budget");
      expect(fault.message).to.equal("unverified code ran past its CPU budget of 200 ms in the kernel domain");
    });
  }

  it("runs unverified code that ends on its own to its normal end under the bound", async () => {
    const { status } = await runBesideHello(await assembleWat(unverified("(i32.const 9)")), { name: "quick" }, {
      domain: "kernel", policy: shippedPolicy, principal: "root",
    });
    expect(status).to.deep.equal({ kind: "exited", code: 9 });
  });
});
