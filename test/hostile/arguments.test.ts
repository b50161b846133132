// Hostile arguments: more arguments, or more argument text, than the kernel's limits refuse the
// process at spawn with the limit named; at the limits the process runs and sees them all.
import { expect } from "chai";
import { ArgumentLimitError } from "../../kernel/index.js";
import { MAX_ARGUMENT_TEXT_UNITS, MAX_ARGUMENTS } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const PROCESS = "singlet:kernel/process@0.1.0";

/** Exits with the number of arguments it sees. */
async function argumentCounter(): Promise<Uint8Array<ArrayBuffer>> {
  return assembleWat(conformantModule(`(import "${PROCESS}" "arg-count" (func $count (result i32)))`, "(call $count)"));
}

const refusedRows = [
  { name: "one argument more than MAX_ARGUMENTS", args: () => Array.from({ length: MAX_ARGUMENTS + 1 }, () => "x"), limit: "MAX_ARGUMENTS", message: `${MAX_ARGUMENTS + 1} arguments (limit ${MAX_ARGUMENTS}, MAX_ARGUMENTS)` },
  { name: "a million empty arguments", args: () => new Array<string>(1_000_000).fill(""), limit: "MAX_ARGUMENTS", message: `1000000 arguments (limit ${MAX_ARGUMENTS}` },
  { name: "one unit of text more than MAX_ARGUMENT_TEXT_UNITS", args: () => ["a".repeat(MAX_ARGUMENT_TEXT_UNITS / 2), "b".repeat(MAX_ARGUMENT_TEXT_UNITS / 2 + 1)], limit: "MAX_ARGUMENT_TEXT_UNITS", message: `arguments of ${MAX_ARGUMENT_TEXT_UNITS + 1} UTF-16 units in all (limit ${MAX_ARGUMENT_TEXT_UNITS}, MAX_ARGUMENT_TEXT_UNITS)` },
  { name: "one argument of 1 MiB", args: () => ["z".repeat(1 << 20)], limit: "MAX_ARGUMENT_TEXT_UNITS", message: `arguments of ${1 << 20} UTF-16 units in all` },
] as const;

describe("hostile/arguments", function () {
  this.timeout(30000);

  for (const domain of ["kernel", "user"] as const) {
    for (const row of refusedRows) {
      it(`refuses to spawn a ${domain}-domain process with ${row.name}, naming ${row.limit}`, async () => {
        const kernel = testKernel();
        const image = kernel.load(await argumentCounter(), { manifest: fixtureManifest("counter") });
        let refusal: unknown;
        try {
          kernel.spawn(image, { domain, args: row.args(), output: () => undefined });
        } catch (error) {
          refusal = error;
        }
        expect(refusal).to.be.instanceOf(ArgumentLimitError);
        expect((refusal as ArgumentLimitError).limitName).to.equal(row.limit);
        expect((refusal as ArgumentLimitError).message).to.contain(row.message);
        expect((refusal as ArgumentLimitError).errorCode).to.equal(ErrorCode.invalidArgument);
        expect(kernel.processes.count).to.equal(0);
        // The kernel still runs others afterwards.
        expect((await runCaptured(kernel, image, { domain, args: ["ok"] })).status).to.deep.equal({ kind: "exited", code: 1 });
        await kernel.shutdown();
      });
    }

    it(`runs a ${domain}-domain process with exactly MAX_ARGUMENTS arguments holding MAX_ARGUMENT_TEXT_UNITS units`, async () => {
      const kernel = testKernel();
      const image = kernel.load(await argumentCounter(), { manifest: fixtureManifest("counter") });
      const each = MAX_ARGUMENT_TEXT_UNITS / MAX_ARGUMENTS;
      const args = Array.from({ length: MAX_ARGUMENTS }, (_, index) => String(index % 10).repeat(each));
      const run = await runCaptured(kernel, image, { domain, args });
      expect(run.status).to.deep.equal({ kind: "exited", code: MAX_ARGUMENTS });
      await kernel.shutdown();
    });
  }

  it("keeps the arguments the process was created with when the caller's array changes later", async () => {
    const kernel = testKernel();
    const image = kernel.load(await argumentCounter(), { manifest: fixtureManifest("counter") });
    const args = ["one"];
    const process = kernel.spawn(image, { args, output: () => undefined });
    args.push(..."x".repeat(MAX_ARGUMENTS * 2));
    expect(await process.completion).to.deep.equal({ kind: "exited", code: 1 });
    await kernel.shutdown();
  });
});
