// `npm run build:bundle`: builds the `singlet` bin from the compiled command. Measured
// (bench/startup.ts): Node 20 spent about 45 ms of a 140 ms `singlet run apps/hello` resolving,
// reading and linking ~130 separate ES modules, and about 10 ms more compiling them.
//
//   dist/singlet-bundle.cjs   the command and every module it imports, one CommonJS file
//   dist/singlet.cjs          the bin: a small launcher that runs the bundle with V8's code
//                             cache (kernel/cli/launcher.ts says why CommonJS)
//
// What stays outside the bundle, and why:
//   - npm packages (jco, wabt, assemblyscript): imported lazily where used, never on the run path;
//   - the user-domain thread's script: a Worker starts it by URL, with its own module graph.
// Every `import.meta.url` in a bundled module is rewritten to that module's own URL, computed
// from the bundle's, so paths found relative to a source file (the project root, the worker
// script, the kernel's WIT) point where they did before bundling.
import { build, type Plugin } from "esbuild";
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { projectRoot } from "./paths.js";

const distDirectory = resolve(projectRoot, "dist");
export const CLI_ENTRY = resolve(distDirectory, "kernel", "cli", "main.js");
export const LAUNCHER_ENTRY = resolve(distDirectory, "kernel", "cli", "bin.js");
export const CLI_BUNDLE = resolve(distDirectory, "singlet-bundle.cjs");
export const CLI_BIN = resolve(distDirectory, "singlet.cjs");

/** Defined first thing in each bundle: the bundle's own URL, which CommonJS does not give. */
const BUNDLE_URL = "__singletBundleUrl";
/**
 * What the bundle calls instead of `import("package")`. V8 drops the host options that `import()`
 * needs from functions restored from a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so
 * the launcher, an ordinary module, passes in a function that imports for the bundle; run by
 * Node directly, the bundle imports for itself.
 */
export const IMPORT_FUNCTION = "__singletImport";
/** `import("x")` of a package (not a relative path: those are bundled). */
const PACKAGE_IMPORT = /\bimport\((["'])([^."'/][^"']*)\1\)/g;

/** Rewrites `import.meta.url` in each dist module to that module's URL, relative to the bundle. */
function ownModuleUrls(bundle: string): Plugin {
  return {
    name: "own-module-urls",
    setup(builder) {
      builder.onLoad({ filter: /\.js$/ }, async (args) => {
        const source = (await readFile(args.path, "utf8")).replace(PACKAGE_IMPORT, `${IMPORT_FUNCTION}($1$2$1)`);
        if (!source.includes("import.meta.url")) return { contents: source, loader: "js" };
        const fromBundle = relative(dirname(bundle), args.path).split("\\").join("/");
        const own = `new URL(${JSON.stringify(fromBundle.startsWith(".") ? fromBundle : `./${fromBundle}`)}, ${BUNDLE_URL}).href`;
        return { contents: source.replaceAll("import.meta.url", own), loader: "js" };
      });
    },
  };
}

async function bundle(entry: string, outfile: string, executable: boolean): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    // Whitespace and comments out, syntax shortened: the text is a third smaller and ASCII only, which
    // V8 reads as one byte a character (five arrows in comments made the whole 560 KB two bytes a
    // character: 2 ms to read it). Names are not minified: keeping `.name` for KernelError's
    // subclasses would then need esbuild's keepNames, whose wrapper calls cost more at start than
    // the shorter text saves (docs/startup.md). The linked source map still points into dist/.
    minifyWhitespace: true,
    minifySyntax: true,
    // "use strict" first: the modules were ES modules, and a directive after a statement is none.
    banner: {
      js: `${executable ? "#!/usr/bin/env node\n" : ""}"use strict";\nconst ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;\n`
        + `var ${IMPORT_FUNCTION} = typeof ${IMPORT_FUNCTION} === "function" ? ${IMPORT_FUNCTION} : (specifier) => import(specifier);`,
    },
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [ownModuleUrls(outfile)],
  });
}

export async function bundleCli(): Promise<void> {
  await bundle(CLI_ENTRY, CLI_BUNDLE, false);
  await bundle(LAUNCHER_ENTRY, CLI_BIN, true);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(distDirectory, "runtime", "toolchain", "bundle-cli.js")) {
  await bundleCli();
  process.stdout.write(`bundle: ${relative(projectRoot, CLI_BIN)} runs ${relative(projectRoot, CLI_BUNDLE)}\n`);
}
