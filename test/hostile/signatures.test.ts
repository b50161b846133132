// Hostile signatures: a kernel import whose type differs from the WIT, an import nobody
// provides, or a `main` of another type cannot be called right in any domain, so the loader
// refuses the module with the verifier's code instead of running it as a fallback process.
import { expect } from "chai";
import { LoadError } from "../../kernel/index.js";
import { FINDING_CODES, REFUSED_IN_EVERY_DOMAIN } from "../../verifier/index.js";
import { readProjectFile, runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const CONSOLE = "singlet:kernel/console@0.1.0";
const PROCESS = "singlet:kernel/process@0.1.0";
const CLOCK = "singlet:kernel/clock@0.1.0";

interface RefusedRow {
  readonly name: string;
  readonly imports: string;
  readonly mainBody?: string;
  /** Replaces the conformant `main` (which is `() -> (i32)`). */
  readonly main?: string;
  readonly code: string;
  readonly message: RegExp;
}

const refused: readonly RefusedRow[] = [
  { name: "console.write imported without its length", imports: `(import "${CONSOLE}" "write" (func $write (param i32) (result i32)))`,
    mainBody: "(drop (call $write (i32.const 0))) (i32.const 0)", code: "import-signature-mismatch", message: /console@0\.1\.0\.write has type \(i32\) -> \(i32\); the kernel ABI says \(i32, i32\) -> \(i32\)/ },
  { name: "clock.now imported as returning i32", imports: `(import "${CLOCK}" "now" (func $now (result i32)))`,
    mainBody: "(call $now)", code: "import-signature-mismatch", message: /clock@0\.1\.0\.now has type/ },
  { name: "process.exit imported with a result", imports: `(import "${PROCESS}" "exit" (func $exit (param i32) (result i32)))`,
    mainBody: "(call $exit (i32.const 3))", code: "import-signature-mismatch", message: /process@0\.1\.0\.exit/ },
  { name: "process.abort imported with floats", imports: `(import "${PROCESS}" "abort" (func $abort (param f64 f64 f64 f64)))`,
    mainBody: "(i32.const 0)", code: "import-signature-mismatch", message: /process@0\.1\.0\.abort/ },
  { name: "a call the console interface does not have", imports: `(import "${CONSOLE}" "print" (func $print (param i32 i32) (result i32)))`,
    mainBody: "(i32.const 0)", code: "import-unknown-function", message: /'print' is not a function/ },
  { name: "the verifier's own fuel hook", imports: `(import "singlet:kernel/fuel@0.1.0" "exhausted" (func $exhausted))`,
    mainBody: "(i32.const 0)", code: "import-fuel-reserved", message: /only the verifier may add/ },
  { name: "an imported global", imports: `(import "${PROCESS}" "pid" (global i32))`,
    mainBody: "(i32.const 0)", code: "global-imported", message: /is a global/ },
  { name: "main taking a parameter", imports: "",
    main: `(func $main (export "main") (param i32) (result i32) (local.get 0))`, code: "entry-point-signature-mismatch", message: /'main' has type \(i32\) -> \(i32\); the world says \(\) -> \(i32\)/ },
  { name: "main returning i64", imports: "",
    main: `(func $main (export "main") (result i64) (i64.const 7))`, code: "entry-point-signature-mismatch", message: /'main' has type \(\) -> \(i64\)/ },
  { name: "main returning nothing", imports: "",
    main: `(func $main (export "main"))`, code: "entry-point-signature-mismatch", message: /'main' has type \(\) -> \(\)/ },
];

async function rowBytes(row: RefusedRow): Promise<Uint8Array<ArrayBuffer>> {
  const text = conformantModule(row.imports, row.mainBody ?? "(i32.const 0)");
  return assembleWat(row.main ? text.replace(/\(func \$main \(export "main"\) \(result i32\)[\s\S]*\)\)$/, `${row.main})`) : text);
}

describe("hostile/signatures", function () {
  this.timeout(30000);

  for (const row of refused) {
    for (const manifest of ["declaring main", "declaring nothing"] as const) {
      it(`refuses to load a module with ${row.name} (${manifest}) as ${row.code}, so it runs in no domain`, async () => {
        const kernel = testKernel();
        const bytes = await rowBytes(row);
        // Without entry points the module is not KERNELTRUST anyway: it would have been a
        // fallback process, which is exactly what must not happen.
        const options = manifest === "declaring main" ? { manifest: fixtureManifest(row.name, ["console"]) } : { manifest: { name: row.name } };
        let refusal: unknown;
        try {
          kernel.load(bytes, options);
        } catch (error) {
          refusal = error;
        }
        expect(refusal, "load must refuse").to.be.instanceOf(LoadError);
        const error = refusal as LoadError;
        expect(error.message).to.contain("cannot run in any domain");
        expect(error.message).to.contain(row.code);
        expect(error.message).to.match(row.message);
        expect(error.findingCodes).to.include(row.code);
        expect(error.errorCode).to.be.greaterThan(0);
        expect(kernel.processes.count).to.equal(0);
        // Asked again, the loader refuses again: nothing unrunnable is cached as an image.
        expect(() => kernel.load(bytes, options)).to.throw(LoadError, row.code);
        await kernel.shutdown();
      });
    }
  }

  it("still runs a module that is only untrusted (no entry points) in a user domain", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule(`(import "${PROCESS}" "id" (func $id (result i32)))`, "(drop (call $id)) (i32.const 5)"));
    const image = kernel.load(bytes, { manifest: { name: "untrusted" } });
    expect(image.verified).to.equal(false);
    const run = await runCaptured(kernel, image);
    expect(run.process.domain).to.equal("user");
    expect(run.status).to.deep.equal({ kind: "exited", code: 5 });
    await kernel.shutdown();
  });

  it("marks exactly the codes refused in every domain so in docs/verifier/messages.md", () => {
    const page = readProjectFile("docs/verifier/messages.md");
    for (const code of REFUSED_IN_EVERY_DOMAIN) expect(FINDING_CODES, code).to.have.property(code);
    for (const code of Object.keys(FINDING_CODES)) {
      const section = page.slice(page.indexOf(`### \`${code}\``)).split(/\n### /)[0]!;
      expect(section.includes("Refused in every domain"), code).to.equal(REFUSED_IN_EVERY_DOMAIN.has(code));
    }
  });
});
