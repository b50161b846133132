// Conformance: the kernel ABI is written once, in WIT, and everything generated is current.
import { expect } from "chai";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { syscallDescriptors, worldExports, flattenImportSignature } from "../../runtime/abi/index.js";
import { syscallTable } from "../../kernel/syscalls/table.js";
import { parseWit } from "../../runtime/toolchain/wit/parse.js";
import { generateAbiReferencePages, generateAbiTable, generateAssemblyScriptBindings, witSourceHash } from "../../runtime/toolchain/generate-bindings.js";
import { projectRoot, readProjectFile } from "../helpers/kernel.js";

describe("runtime/abi", () => {
  const source = readProjectFile("runtime/wit/singlet.wit");
  const witPackage = parseWit(source);

  it("has a generated descriptor table identical to what the WIT generates now", () => {
    expect(readProjectFile("runtime/abi/kernel-abi.generated.ts")).to.equal(generateAbiTable(witPackage, witSourceHash(source)));
  });

  it("has generated AssemblyScript bindings identical to what the WIT generates now", () => {
    const generated = generateAssemblyScriptBindings(witPackage);
    const onDisk = readdirSync(resolve(projectRoot, "runtime/assembly/bindings")).filter((name) => name.endsWith(".generated.ts"));
    expect(onDisk.sort()).to.deep.equal([...generated.keys()].sort());
    for (const [name, text] of generated) expect(readProjectFile(`runtime/assembly/bindings/${name}`), name).to.equal(text);
  });

  it("has a reference page per call identical to what the WIT generates now", () => {
    const pages = generateAbiReferencePages(witPackage);
    const onDisk = readdirSync(resolve(projectRoot, "docs/abi/calls")).filter((name) => name.endsWith(".md"));
    expect(onDisk.sort()).to.deep.equal([...pages.keys()].sort());
    for (const [name, text] of pages) expect(readProjectFile(`docs/abi/calls/${name}`), name).to.equal(text);
  });

  it("gives every ABI call a handler in the one syscall table", () => {
    expect(Object.keys(syscallTable).sort()).to.deep.equal(syscallDescriptors.map((descriptor) => descriptor.qualifiedName).sort());
  });

  it("flattens strings to (pointer, length) and string results through a return pointer", () => {
    expect(flattenImportSignature([{ type: "string" }], "s32")).to.deep.equal({ coreParameters: ["i32", "i32"], coreResults: ["i32"] });
    expect(flattenImportSignature([{ type: "u32" }], "string")).to.deep.equal({ coreParameters: ["i32", "i32"], coreResults: [] });
    expect(flattenImportSignature([], "u64")).to.deep.equal({ coreParameters: [], coreResults: ["i64"] });
  });

  it("exports main as () -> s32, dispatch as (u32, u32) and serve as () in the app world", () => {
    expect(worldExports).to.deep.equal([
      { name: "main", parameters: [], result: "s32", coreParameters: [], coreResults: ["i32"] },
      { name: "dispatch", parameters: [{ name: "kind", type: "u32" }, { name: "tag", type: "u32" }], result: null, coreParameters: ["i32", "i32"], coreResults: [] },
      { name: "serve", parameters: [], result: null, coreParameters: [], coreResults: [] },
    ]);
  });

  it("refuses WIT types the kernel ABI cannot lower, naming the line", () => {
    expect(() => parseWit("package a:b@1.0.0;\ninterface x {\n  f: func(v: list<u32>);\n}\nworld w { import x; }"))
      .to.throw(/singlet\.wit:3: only list<u8>/);
    expect(() => parseWit("package a:b@1.0.0;\ninterface x {\n  f: func(v: record);\n}\nworld w { import x; }"))
      .to.throw(/type 'record' is not supported/);
  });
});
