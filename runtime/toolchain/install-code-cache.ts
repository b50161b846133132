// `npm run build:code-cache`, the build's last step: runs `singlet run apps/hello` once with an
// empty cache folder and keeps the V8 code cache entry it leaves in dist/code-cache, where the
// launcher (kernel/cli/launcher.ts) finds it when a run's own cache folder has none. The first
// run after `npm install` then starts from compiled code, as Node's own modules do.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { projectRoot } from "./paths.js";
import { INSTALLED_CODE_CACHE_DIRECTORY } from "../../kernel/cli/launcher.js";

const distDirectory = resolve(projectRoot, "dist");
const installedDirectory = join(distDirectory, INSTALLED_CODE_CACHE_DIRECTORY);

export function installCodeCache(): string | undefined {
  const scratch = mkdtempSync(join(tmpdir(), "singlet-code-cache-"));
  try {
    // An old entry would serve this run and nothing would be written: start from none.
    rmSync(installedDirectory, { recursive: true, force: true });
    const result = spawnSync(process.execPath, [join(distDirectory, "singlet.cjs"), "run", "apps/hello"], {
      cwd: projectRoot, encoding: "utf8", env: { ...process.env, SINGLET_CACHE_DIR: scratch, SINGLET_CACHE: "on" },
    });
    if (result.status !== 0) throw new Error(`install-code-cache: singlet run apps/hello exited ${result.status}: ${result.stderr}`);
    const entries = readdirSync(join(scratch, "code")).filter((name) => name.endsWith(".v8cache"));
    if (entries.length !== 1) throw new Error(`install-code-cache: expected one code cache entry, found ${entries.length}`);
    mkdirSync(installedDirectory, { recursive: true });
    renameSync(join(scratch, "code", entries[0]!), join(installedDirectory, entries[0]!));
    return join(installedDirectory, entries[0]!);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(distDirectory, "runtime", "toolchain", "install-code-cache.js")) {
  // Without the entry the first run only compiles the command itself: worth a warning, not a failed install.
  try {
    const path = installCodeCache();
    process.stdout.write(`code cache: ${path ? relative(projectRoot, path) : "none"}\n`);
  } catch (error) {
    process.stderr.write(`code cache: not made (${(error as Error).message}); the first run compiles the command from scratch\n`);
  }
}
