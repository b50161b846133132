// `npm run build:native`, a step of `npm run build`: compiles hal/node/native (the host-mount
// directory lister, Linux only) with node-gyp and puts the addon at dist/native/host-listing.node,
// where hal/node/host-listing.ts loads it. node-gyp is the copy npm brings (npm names it to every
// script it runs); Node's headers come from npm's configuration, as for any native package. A host
// that cannot build it (another OS, no compiler) gets a warning, not a failed install: host mounts
// then list through node:fs, correct but slower (docs/files-and-sockets.md).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { projectRoot } from "./paths.js";

const sourceDirectory = join(projectRoot, "hal", "node", "native");
const sources = [join(sourceDirectory, "host-listing.c"), join(sourceDirectory, "binding.gyp")];
const built = join(sourceDirectory, "build", "Release", "host-listing.node");
export const NATIVE_LISTING_PATH = join(projectRoot, "dist", "native", "host-listing.node");

/** npm's own node-gyp: named by npm to the scripts it runs, else beside the npm that came with this Node. */
function nodeGypScript(): string | undefined {
  const named = process.env.npm_config_node_gyp;
  if (named && existsSync(named)) return named;
  const bundled = resolve(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  return existsSync(bundled) ? bundled : undefined;
}

function upToDate(): boolean {
  if (!existsSync(NATIVE_LISTING_PATH)) return false;
  const made = statSync(NATIVE_LISTING_PATH).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs <= made);
}

export function buildNativeListing(): string {
  if (process.platform !== "linux") throw new Error(`the lister is written for Linux (this host is ${process.platform})`);
  if (upToDate()) return NATIVE_LISTING_PATH;
  const script = nodeGypScript();
  if (!script) throw new Error("node-gyp not found (run through npm)");
  const result = spawnSync(process.execPath, [script, "rebuild", "--loglevel=error"], { cwd: sourceDirectory, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node-gyp exited ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n")}`);
  mkdirSync(dirname(NATIVE_LISTING_PATH), { recursive: true });
  copyFileSync(built, NATIVE_LISTING_PATH);
  return NATIVE_LISTING_PATH;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(projectRoot, "dist", "runtime", "toolchain", "build-native.js")) {
  try {
    process.stdout.write(`native lister: ${relative(projectRoot, buildNativeListing())}\n`);
  } catch (error) {
    process.stderr.write(`native lister: not built (${(error as Error).message}); host mounts list through node:fs\n`);
  }
}
