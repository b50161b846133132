// `npm run build:bundle`: joins the compiled `singlet` command and the modules it imports into
// one file, dist/singlet.js, the package's `bin`. Measured (bench/startup.ts): Node 20 spent
// about 45 ms of a 140 ms `singlet run apps/hello` resolving, reading and linking ~130 separate
// ES modules; one file costs one read and one compile.
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
export const CLI_BUNDLE = resolve(distDirectory, "singlet.js");

/** Rewrites `import.meta.url` in each dist module to that module's URL, relative to the bundle. */
function ownModuleUrls(bundle: string): Plugin {
  return {
    name: "own-module-urls",
    setup(builder) {
      builder.onLoad({ filter: /\.js$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.url")) return { contents: source, loader: "js" };
        const fromBundle = relative(dirname(bundle), args.path).split("\\").join("/");
        const own = `new URL(${JSON.stringify(fromBundle.startsWith(".") ? fromBundle : `./${fromBundle}`)}, import.meta.url).href`;
        return { contents: source.replaceAll("import.meta.url", own), loader: "js" };
      });
    },
  };
}

export async function bundleCli(entry = CLI_ENTRY, outfile = CLI_BUNDLE): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [ownModuleUrls(outfile)],
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(distDirectory, "runtime", "toolchain", "bundle-cli.js")) {
  await bundleCli();
  process.stdout.write(`bundle: ${relative(projectRoot, CLI_BUNDLE)}\n`);
}
