// `npm run build:apps`: compiles every app under apps/ with asc (one asconfig.json per app,
// extending the root one) and embeds its manifest as the `singlet.manifest` custom section.
// A multi-module app has an `app.json` listing its modules, each a folder with its own
// asconfig.json and manifest.json, built to the app's build/<module>.wasm.
// An app is rebuilt only when a source it depends on is newer than its binary.
import asc from "assemblyscript/asc";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { MANIFEST_SECTION_NAME, parseManifest } from "../abi/manifest.js";
import { readAppDescription } from "./app-description.js";
import { appendCustomSection } from "./custom-section.js";
import { CONTRACT_BINDINGS_FILE, bindingsPathOf, resolveContractFiles, writeContractBindings } from "./contract-bindings.js";
import { reconcileModes } from "./reconcile-modes.js";
import { appsDirectory, projectRoot } from "./paths.js";
import { checkComponent, readModesSection } from "../../verifier/index.js";

export interface AppBuildTarget {
  readonly name: string;
  readonly directory: string;
  readonly configPath: string;
  readonly entryPath: string;
  readonly outputPath: string;
  readonly manifestPath: string;
  /**
   * Whether the module is a whole app of the kernel's WIT world. Modules of a multi-module app
   * import from their siblings and export functions the world does not name, so the jco
   * component check does not apply to them; the kernel's linker checks their links instead.
   */
  readonly wholeApp: boolean;
}

export function listAppTargets(root: string = appsDirectory): AppBuildTarget[] {
  const multiModule = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "app.json")))
    .flatMap((entry) => {
      const appDirectory = join(root, entry.name);
      return readAppDescription(appDirectory).modules.map((module) => ({
        name: `${entry.name}/${module}`,
        directory: join(appDirectory, module),
        configPath: join(appDirectory, module, "asconfig.json"),
        entryPath: join(appDirectory, module, "main.ts"),
        outputPath: join(appDirectory, "build", `${module}.wasm`),
        manifestPath: join(appDirectory, module, "manifest.json"),
        wholeApp: false,
      }));
    });
  return [...multiModule, ...listSingleModuleTargets(root)];
}

function listSingleModuleTargets(root: string): AppBuildTarget[] {
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
        wholeApp: true,
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
  const sources = [target.directory, join(projectRoot, "runtime", "assembly"), join(projectRoot, "asconfig.json"), ...sourceManifest(target).files.map((file) => file.path),
    join(projectRoot, "dist", "runtime", "toolchain", "mode-transform.js"), join(projectRoot, "dist", "runtime", "toolchain", "mode-attributes.js")]
    .flatMap((path) => path === target.directory
      ? readdirSync(path).filter((name) => name !== "build").map((name) => join(path, name))
      : [path]);
  return newestModification(sources) <= statSync(target.outputPath).mtimeMs;
}

/** The app's source manifest, its contracts given by path read in. */
function sourceManifest(target: AppBuildTarget): ReturnType<typeof resolveContractFiles> {
  return resolveContractFiles(JSON.parse(readFileSync(target.manifestPath, "utf8")) as Record<string, unknown>, target.manifestPath);
}

export async function buildApp(target: AppBuildTarget): Promise<void> {
  const source = sourceManifest(target);
  const declaredSource = parseManifest(source.manifest);
  // Before compiling: the app imports its contracts' bindings, one file per contract file, and
  // one beside the app for contracts declared inline.
  const runtimeDirectory = join(projectRoot, "runtime", "assembly");
  const contracts = declaredSource.contracts ?? {};
  for (const file of source.files) {
    writeContractBindings(bindingsPathOf(file.path), runtimeDirectory, relative(projectRoot, file.path), { [file.name]: contracts[file.name]! });
  }
  if (source.inline.length > 0) {
    const inline = Object.fromEntries(source.inline.map((name) => [name, contracts[name]!]));
    writeContractBindings(join(target.directory, CONTRACT_BINDINGS_FILE), runtimeDirectory, `apps/${target.name}/manifest.json`, inline);
  }
  const output: string[] = [];
  const stream = { write(text: string | Uint8Array) { output.push(String(text)); return true; } };
  // The config path is absolute on purpose: asc resolves the root config's `transform` path
  // against the config's directory, and a relative directory of "." turns
  // "./dist/…/mode-transform.js" into a bare name that Node then looks up as a package.
  const result = await asc.main(
    [relative(projectRoot, target.entryPath), "--config", resolve(target.configPath), "--target", "release"],
    { stdout: stream, stderr: stream },
  );
  if (result.error) throw new Error(`asc failed for apps/${target.name}:\n${output.join("")}`);
  const binary = readFileSync(target.outputPath);
  const declared = declaredSource;
  const modes = readModesSection(binary);
  const manifest = modes ? reconcileModes(declared, modes) : declared;
  const payload = new TextEncoder().encode(JSON.stringify(manifest));
  const module = appendCustomSection(binary, MANIFEST_SECTION_NAME, payload);
  writeFileSync(target.outputPath, module);
  if (!target.wholeApp) return;
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
    if (!force && isUpToDate(target) && (!target.wholeApp || existsSync(componentPath(target)))) continue;
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
