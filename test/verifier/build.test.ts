// The app build runs the jco check: a module outside the kernel's world fails the build with
// jco's reason, and no component is written for it. The app is written under dist/ at test
// time, since the TypeScript build would otherwise compile its AssemblyScript source.
import { expect } from "chai";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp, componentPath, listAppTargets } from "../../runtime/toolchain/build-apps.js";
import { projectRoot } from "./support/apps.js";

const OUTSIDE_WORLD_SOURCE = `// outside-world: imports env.seed, which the kernel's WIT world does not have.
export { cabi_realloc } from "../../../runtime/assembly";

@external("env", "seed")
declare function seed(): i32;

export function main(): i32 {
  return seed();
}
`;

describe("verifier in the app build", function () {
  this.timeout(60_000);

  it("fails the build of an app that imports outside the world, with jco's reason", async () => {
    const appsRoot = join(projectRoot, "dist", "test-apps");
    const directory = join(appsRoot, "outside-world");
    rmSync(appsRoot, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "main.ts"), OUTSIDE_WORLD_SOURCE);
    writeFileSync(join(directory, "asconfig.json"), JSON.stringify({ extends: "../../../asconfig.json", entries: ["./main.ts"], options: { outFile: "./build/outside-world.wasm" } }));
    writeFileSync(join(directory, "manifest.json"), JSON.stringify({ name: "outside-world", entryPoints: { main: {} } }));
    const target = listAppTargets(appsRoot)[0]!;
    const workingDirectory = process.cwd();
    process.chdir(projectRoot);
    try {
      let failure: Error | undefined;
      try {
        await buildApp(target);
      } catch (error) {
        failure = error as Error;
      }
      expect(existsSync(target.outputPath), `asc output: ${failure?.message}`).to.equal(true);
      expect(failure?.message).to.include("apps/outside-world does not conform to the kernel's WIT world (jco)");
      expect(failure?.message).to.include("env");
      expect(existsSync(componentPath(target))).to.equal(false);
    } finally {
      process.chdir(workingDirectory);
    }
  });
});
