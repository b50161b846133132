// Compiles one AssemblyScript app held in a string, as `npm run build:apps` compiles an app (the
// root asconfig.json, its runtime and mode transform), for tests and benchmarks whose apps are
// made in code. Nothing is written: the source is read from memory, the binary caught in memory.
import asc from "assemblyscript/asc";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { projectRoot } from "./paths.js";

/** What a source compiled here imports the runtime as: it is read as if it sat at the project root. */
export const RUNTIME_IMPORT = "./runtime/assembly";

/** The core module of `source` (an app's main.ts), named `name` in asc's messages; throws with asc's output when it does not compile. */
export async function compileAssemblyScriptSource(name: string, source: string): Promise<Uint8Array<ArrayBuffer>> {
  const sourceFile = `${name}.ts`;
  const binaryFile = `${name}.wasm`;
  let binary: Uint8Array | undefined;
  let output = "";
  const stream = { write(text: string | Uint8Array) { output += String(text); return true; } };
  const result = await asc.main([sourceFile, "--outFile", binaryFile, "--config", resolve(projectRoot, "asconfig.json"), "--target", "release"], {
    stdout: stream, stderr: stream,
    readFile: (file: string, baseDirectory: string) => {
      if (file === sourceFile) return source;
      try { return readFileSync(resolve(projectRoot, baseDirectory, file), "utf8"); } catch { return null; }
    },
    writeFile: (file: string, contents: string | Uint8Array) => { if (file.endsWith(binaryFile)) binary = contents as Uint8Array; },
    listFiles: () => [],
  });
  if (result.error || binary === undefined) throw new Error(`asc failed for ${name}:\n${output}`);
  return new Uint8Array(binary);
}
