// `npm run build:apps`: compiles every app under apps/ with asc (one asconfig.json per app,
// extending the root one) and embeds its manifest as the `singlet.manifest` custom section.
// An app is rebuilt only when a source it depends on is newer than its binary.
import asc from "assemblyscript/asc";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { MANIFEST_SECTION_NAME, parseManifest } from "../abi/manifest.js";
import { appendCustomSection } from "./custom-section.js";
import { appsDirectory, projectRoot } from "./paths.js";
import { checkComponent } from "../../verifier/index.js";

export interface AppBuildTarget {
  readonly name: string;
  readonly directory: string;
  readonly configPath: string;
  readonly entryPath: string;
  readonly outputPath: string;
  readonly manifestPath: string;
}

export function listAppTargets(root: string = appsDirectory): AppBuildTarget[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "asconfig.json")))
    .flatMap((entry) => {
      const directory = join(root, entry.name);
      const config = JSON.parse(readFileSync(join(directory, "asconfig.json"), "utf8")) as {
        entries?: string[]; options?: { outFile?: string };
      };
      return (config.entries ?? ["./main.ts"]).map((entryFile) => ({
        name: entry.name,
        directory,
        configPath: join(directory, "asconfig.json"),
        entryPath: resolve(directory, entryFile),
        outputPath: resolve(directory, config.options?.outFile ?? `./build/${entry.name}.wasm`),
        manifestPath: join(directory, "manifest.json"),
      }));
    });
}

function newestModification(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stats = statSync(path);
    if (stats.isDirectory()) {
      newest = Math.max(newest, newestModification(readdirSync(path).map((name) => join(path, name))));
    } else {
      newest = Math.max(newest, stats.mtimeMs);
    }
  }
  return newest;
}

function isUpToDate(target: AppBuildTarget): boolean {
  if (!existsSync(target.outputPath)) return false;
  const sources = [target.directory, join(projectRoot, "runtime", "assembly"), join(projectRoot, "asconfig.json")]
    .flatMap((path) => path === target.directory
      ? readdirSync(path).filter((name) => name !== "build").map((name) => join(path, name))
      : [path]);
  return newestModification(sources) <= statSync(target.outputPath).mtimeMs;
}

export async function buildApp(target: AppBuildTarget): Promise<void> {
  const output: string[] = [];
  const stream = { write(text: string | Uint8Array) { output.push(String(text)); return true; } };
  const result = await asc.main(
    [relative(projectRoot, target.entryPath), "--config", relative(projectRoot, target.configPath), "--target", "release"],
    { stdout: stream, stderr: stream },
  );
  if (result.error) throw new Error(`asc failed for apps/${target.name}:\n${output.join("")}`);
  const manifest = parseManifest(JSON.parse(readFileSync(target.manifestPath, "utf8")));
  const binary = readFileSync(target.outputPath);
  const payload = new TextEncoder().encode(JSON.stringify(manifest));
  const module = appendCustomSection(binary, MANIFEST_SECTION_NAME, payload);
  writeFileSync(target.outputPath, module);
  // The second, independent ABI check (jco): the app must wrap as a component of the world.
  const component = await checkComponent(module);
  if (!component.ok) throw new Error(`apps/${target.name} does not conform to the kernel's WIT world (jco):\n${component.reason}`);
  writeFileSync(componentPath(target), component.componentBytes!);
}

/** apps/<name>/build/<name>.component.wasm, beside the core module. */
export function componentPath(target: AppBuildTarget): string {
  return target.outputPath.replace(/\.wasm$/, ".component.wasm");
}

async function main(): Promise<void> {
  // asc resolves `use` paths and imports against the working directory.
  process.chdir(projectRoot);
  const force = process.argv.includes("--force");
  let built = 0;
  for (const target of listAppTargets()) {
    if (!force && isUpToDate(target) && existsSync(componentPath(target))) continue;
    await buildApp(target);
    built++;
  }
  console.log(`apps: ${built} built, ${listAppTargets().length - built} up to date`);
}

if (process.argv[1]?.endsWith("build-apps.js")) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
