// One manifest schema: the toolchain and the loader (parseManifest) and the verifier
// (manifest findings) accept exactly the same manifests, through one validator.
import { expect } from "chai";
import { bootKernel, LoadError } from "../../kernel/index.js";
import { MANIFEST_SECTION_NAME, ManifestError, manifestProblems, parseManifest } from "../../runtime/abi/index.js";
import { readManifestSection, verifyModule } from "../../verifier/index.js";
import { appendCustomSection } from "../../runtime/toolchain/custom-section.js";
import { assembleWat } from "../helpers/wat.js";

const MANIFEST_CODES = new Set(["manifest-invalid", "entry-point-mode-invalid", "entry-point-fuel-invalid"]);

const module = `(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "main") (result i32) (i32.const 0)))`;

const rows: { readonly name: string; readonly manifest: unknown; readonly valid: boolean }[] = [
  { name: "a full valid manifest", valid: true, manifest: { name: "m", description: "d", capabilities: ["console"], entryPoints: { main: { mode: "callers", fuel: 1000, parameters: ["u32"] } }, limits: { fuelPerEntry: 10, memoryPages: 2, cpuMilliseconds: 5 }, links: [] } },
  { name: "the least manifest", valid: true, manifest: { name: "m" } },
  { name: "not an object", valid: false, manifest: ["m"] },
  { name: "an empty name", valid: false, manifest: { name: "" } },
  { name: "a description that is not a string", valid: false, manifest: { name: "m", description: 3 } },
  { name: "capabilities that are not strings", valid: false, manifest: { name: "m", capabilities: [1] } },
  { name: "entry points as a list", valid: false, manifest: { name: "m", entryPoints: [] } },
  { name: "an entry point that is not an object", valid: false, manifest: { name: "m", entryPoints: { main: 1 } } },
  { name: "an unknown mode", valid: false, manifest: { name: "m", entryPoints: { main: { mode: "root" } } } },
  { name: "negative fuel", valid: false, manifest: { name: "m", entryPoints: { main: { fuel: -5 } } } },
  { name: "unknown parameter types", valid: false, manifest: { name: "m", entryPoints: { main: { parameters: ["pointer"] } } } },
  { name: "an unknown limit", valid: false, manifest: { name: "m", limits: { handles: 3 } } },
  { name: "a limit that is not a number", valid: false, manifest: { name: "m", limits: { memoryPages: "many" } } },
  { name: "a zero limit", valid: false, manifest: { name: "m", limits: { cpuMilliseconds: 0 } } },
  { name: "links that are not a list", valid: false, manifest: { name: "m", links: "other" } },
];

describe("one manifest schema", () => {
  let bytes: Uint8Array<ArrayBuffer>;
  before(async () => { bytes = await assembleWat(module); });

  for (const row of rows) {
    it(`${row.valid ? "accepts" : "refuses"} ${row.name} in the toolchain, the verifier and the loader alike`, () => {
      const problems = manifestProblems(row.manifest);
      expect(problems.length === 0, JSON.stringify(problems)).to.equal(row.valid);
      if (row.valid) expect(parseManifest(row.manifest)).to.equal(row.manifest);
      else expect(() => parseManifest(row.manifest)).to.throw(ManifestError, problems[0]!.message);
      const findings = verifyModule(bytes, { manifest: row.manifest as never }).findings.filter((item) => MANIFEST_CODES.has(item.code));
      expect(findings.length > 0, JSON.stringify(findings)).to.equal(!row.valid);
      const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
      if (row.valid) expect(kernel.load(bytes, { manifest: row.manifest as never }).manifest).to.equal(row.manifest);
      else expect(() => kernel.load(bytes, { manifest: row.manifest as never })).to.throw(LoadError);
    });
  }

  for (const row of rows.filter((candidate) => typeof candidate.manifest === "object" && !Array.isArray(candidate.manifest))) {
    it(`judges ${row.name} the same when it is embedded in the module`, () => {
      const embedded = appendCustomSection(bytes, MANIFEST_SECTION_NAME, new TextEncoder().encode(JSON.stringify(row.manifest)));
      if (row.valid) expect(readManifestSection(embedded)).to.deep.equal(row.manifest);
      else expect(() => readManifestSection(embedded)).to.throw(ManifestError, manifestProblems(row.manifest)[0]!.message);
      const findings = verifyModule(embedded).findings.filter((item) => MANIFEST_CODES.has(item.code));
      expect(findings.length > 0, JSON.stringify(findings)).to.equal(!row.valid);
    });
  }
});
