// Conformance: the mode transform — attributes recorded in `singlet.modes`, typos and misplaced
// attributes fail the build with file, line and the known decorators, and the build reconciles
// the source's modes with the manifest's entry points.
import { expect } from "chai";
import asc from "assemblyscript/asc";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readModesSection } from "../../verifier/index.js";
import ModeTransform from "../../runtime/toolchain/mode-transform.js";
import { ModeMismatchError, reconcileModes } from "../../runtime/toolchain/reconcile-modes.js";
import { projectRoot } from "../helpers/kernel.js";

interface Compiled {
  readonly binary: Uint8Array | undefined;
  readonly error: Error | null;
  readonly stderr: string;
}

/** Compiles one in-memory AS source; with `rootConfig`, through the project's asconfig.json and its registered transform. */
async function compile(source: string, rootConfig = false): Promise<Compiled> {
  let binary: Uint8Array | undefined;
  let stderr = "";
  const stream = { write(text: string | Uint8Array) { stderr += String(text); return true; } };
  const args = ["probe.ts", "--outFile", "probe.wasm", ...(rootConfig ? ["--config", resolve(projectRoot, "asconfig.json")] : ["--runtime", "stub"])];
  const result = await asc.main(args, {
    stdout: stream, stderr: stream,
    ...(rootConfig ? {} : { transforms: [ModeTransform as never] }),
    readFile: (name: string, baseDir: string) => {
      if (name === "probe.ts") return source;
      // Without rootConfig, no asconfig.json at all: the transform comes in through `transforms`.
      if (!rootConfig && name === "asconfig.json") return null;
      try { return readFileSync(resolve(projectRoot, baseDir, name), "utf8"); } catch { return null; }
    },
    writeFile: (name: string, contents: string | Uint8Array) => { if (name.endsWith("probe.wasm")) binary = contents as Uint8Array; },
    listFiles: () => [],
  });
  return { binary, error: result.error, stderr };
}

describe("modes/transform", () => {
  it("records each exported function's mode in singlet.modes when built through the project's asconfig.json", async () => {
    const compiled = await compile(`
      import { Mode } from "./runtime/assembly";
      @kernelMode export function fast(x: i32): i32 { return x + <i32>Mode.current(); }
      @userMode export function parse(x: i32): i32 { return x * 2; }
      @callersMode export function shared(): i32 { return 1; }
      export function plain(): i32 { return 3; }
      @inline function helper(): i32 { return 4; }
      export function usesHelper(): i32 { return helper(); }
    `, true);
    expect(compiled.error, compiled.stderr).to.equal(null);
    expect(readModesSection(compiled.binary!)).to.deep.equal({
      fast: "kernel", parse: "user", shared: "callers", plain: "callers", usesHelper: "callers",
    });
  });

  it("needs the config as an absolute path: asc resolves the transform against the config's directory", async () => {
    // With a relative config directory of ".", "./dist/…" collapses to a bare "dist/…" that
    // Node looks up as a package. If this starts passing, docs/modes.md's warning is stale.
    let stderr = "";
    const result = await asc.main(["probe.ts", "--config", "asconfig.json", "--noEmit"], {
      stdout: { write: () => true }, stderr: { write(text: string | Uint8Array) { stderr += String(text); return true; } },
      readFile: (name: string, baseDir: string) => (name === "probe.ts" ? "export function main(): i32 { return 0; }" : (() => {
        try { return readFileSync(resolve(projectRoot, baseDir, name), "utf8"); } catch { return null; }
      })()),
      writeFile: () => undefined, listFiles: () => [],
    });
    expect(result.error?.message).to.contain("Cannot find module 'dist/runtime/toolchain/mode-transform.js'");
  });

  it("fails the build on a misspelled attribute, naming the file, line, decorator and the known ones", async () => {
    const compiled = await compile(`export function fine(): i32 { return 0; }\n\n@kernelmode\nexport function fast(): i32 { return 1; }\n`);
    expect(compiled.error).to.not.equal(null);
    expect(compiled.error!.message).to.equal(compiled.error!.message.trim());
    expect(compiled.error!.message).to.match(/^probe\.ts:3: unknown decorator @kernelmode on 'fast'; known decorators: @kernelMode, @userMode, @callersMode, /);
    expect(compiled.stderr).to.contain("@kernelmode");
  });

  it("refuses a mode attribute on a function that is not exported", async () => {
    const compiled = await compile(`@userMode function hidden(): i32 { return 1; }\nexport function main(): i32 { return hidden(); }\n`);
    expect(compiled.error?.message).to.match(/probe\.ts:1: mode attribute on 'hidden', which is not exported/);
  });

  it("refuses two mode attributes on one function", async () => {
    const compiled = await compile(`@kernelMode @userMode export function torn(): i32 { return 1; }\n`);
    expect(compiled.error?.message).to.match(/'torn' has more than one mode attribute/);
  });

  it("refuses a mode attribute on a method", async () => {
    const compiled = await compile(`export class Box { @kernelMode get(): i32 { return 1; } }\n`);
    expect(compiled.error?.message).to.match(/@kernelMode on 'get': mode attributes apply to exported top-level functions only/);
  });

  it("keeps the compiler's own decorators working", async () => {
    const compiled = await compile(`@inline function twice(x: i32): i32 { return x * 2; }\n@external("env", "log") declare function log(x: i32): void;\nexport function main(): i32 { log(1); return twice(2); }\n`);
    expect(compiled.error, compiled.stderr).to.equal(null);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(compiled.binary!)));
    expect(imports.map((entry) => `${entry.module}.${entry.name}`)).to.deep.equal(["env.log"]);
  });
});

describe("modes/build reconciles modes with the manifest", () => {
  const modes = { main: "callers", fast: "kernel", parse: "user", helper: "callers" } as const;

  it("fills each entry point's mode from the source when the manifest leaves it out", () => {
    const manifest = reconcileModes({ name: "app", entryPoints: { main: {}, fast: {}, parse: { mode: "user" } } }, modes);
    expect(manifest.entryPoints).to.deep.equal({ main: { mode: "callers" }, fast: { mode: "kernel" }, parse: { mode: "user" } });
  });

  it("fails when the manifest states a mode the source does not", () => {
    expect(() => reconcileModes({ name: "app", entryPoints: { fast: { mode: "user" }, parse: {} } }, modes))
      .to.throw(ModeMismatchError, /app: fast: manifest says mode 'user' but the source says 'kernel'/);
  });

  it("fails when an attributed export is not an entry point", () => {
    expect(() => reconcileModes({ name: "app", entryPoints: { fast: {} } }, modes)).to.throw(ModeMismatchError, /parse: @userMode on an export that is not an entry point/);
  });

  it("fails when an entry point is not an exported function", () => {
    expect(() => reconcileModes({ name: "app", entryPoints: { missing: {} } }, {})).to.throw(ModeMismatchError, /missing: declared as an entry point but not an exported function/);
  });
});
