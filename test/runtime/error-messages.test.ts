// The AssemblyScript runtime's words for error codes: `errorMessage` (generated from
// runtime/abi/errors.ts) gives every ABI code the table's text and any other "error N";
// `describeError` adds the number. An app prints them, and the kernel's table is the one source.
import { expect } from "chai";
import { ERROR_MESSAGES, ErrorCode, type ErrorCodeName, type Manifest } from "../../runtime/abi/index.js";
import { RUNTIME_IMPORT, compileAssemblyScriptSource } from "../../runtime/toolchain/compile-source.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";

const CODES = (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => ErrorCode[name]);
/** Codes the ABI does not define: they read "error N". */
const UNDEFINED_CODES = [3, 7, 200];

const APP = `
import { Console, describeError, errorMessage } from "${RUNTIME_IMPORT}";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

const CODES: i32[] = [${[...CODES, ...UNDEFINED_CODES].join(", ")}];

export function main(): i32 {
  for (let index = 0; index < CODES.length; index++) {
    const code = CODES[index];
    // As calls return them (negated), and as a table names them.
    Console.log(code.toString() + "|" + errorMessage(-code) + "|" + errorMessage(code) + "|" + describeError(-code));
  }
  return 0;
}
`;

describe("runtime: error messages", function () {
  this.timeout(120_000);
  const manifest: Manifest = { name: "error-messages", capabilities: ["console"], entryPoints: { main: {} } };

  it("gives each ABI code the table's text, negated or not, another code 'error N', and describeError the number beside the text", async () => {
    const binary = await compileAssemblyScriptSource("error-messages", APP);
    const kernel = testKernel();
    try {
      const run = await runCaptured(kernel, kernel.load(binary, { manifest }), { domain: "kernel" });
      expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
      const expected = [
        ...(Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => {
          const code = ErrorCode[name];
          return `${code}|${ERROR_MESSAGES[name]}|${ERROR_MESSAGES[name]}|${ERROR_MESSAGES[name]} (error ${code})`;
        }),
        ...UNDEFINED_CODES.map((code) => `${code}|error ${code}|error ${code}|error ${code} (error ${code})`),
      ];
      expect(run.stdout.split("\n").filter((line) => line !== "")).to.deep.equal(expected);
    } finally {
      await kernel.shutdown();
    }
  });

  it("has a text for every code of the ABI", () => {
    for (const name of Object.keys(ErrorCode) as ErrorCodeName[]) expect(ERROR_MESSAGES[name], name).to.be.a("string").and.not.equal("");
  });
});
