// `npm run bench -- find`: the Kernel Mode Linux + TAL paper's directory-walk experiment on
// Singlet. apps/find walks a generated tree of FIND_ENTRIES entries in the kernel domain and in a
// user domain, beside a plain-JavaScript walk of the same host tree (fs.readdirSync with file
// types, recursive, building the same path strings) and GNU find itself, interleaved in one run
// so drift hits every variant alike. Once on the in-memory tree, once on a host directory.
// Prints medians and ratios; writes them as JSON to bench/results/find.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NodeHostFiles } from "../hal/node/index.js";
import { bootKernel, type Kernel, type ModuleImage } from "../kernel/index.js";
import { resolveModuleSource } from "../kernel/index.js";
import { generateTree, type TreeSink } from "./file-tree.js";
import { median, round } from "./measure.js";
import type { BenchTable } from "./table.js";
import { writeExperimentResults } from "./experiment-results.js";

const FIND_ENTRIES = 10_000;
const RUNS = 11;
const WARMUPS = 5;
/** The paper's figure: find in kernel mode was 14% faster than in user mode. */
const SEED_SPEEDUP = 1.14;
/** The goal for kernel-mode find against a plain-JavaScript walk. */
const GOAL_RATIO_TO_JAVASCRIPT = 1.5;

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every path under `directory` (itself first), the way find prints them, no links followed. */
export function javascriptWalk(directory: string, into: string[]): void {
  into.push(directory);
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = directory + "/" + entry.name;
    if (entry.isDirectory()) javascriptWalk(path, into);
    else into.push(path);
  }
}

/** Milliseconds for apps/find over `path` in `domain`, checking it printed `expectedLines` lines. */
async function timedFind(kernel: Kernel, image: ModuleImage, path: string, domain: "kernel" | "user", expectedLines: number): Promise<number> {
  let lines = 0;
  const started = performance.now();
  const process = kernel.spawn(image, {
    args: [path], domain,
    output: (stream, text) => {
      if (stream === "stdout") for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) lines++;
    },
  });
  const status = await process.completion;
  const elapsed = performance.now() - started;
  if (status.kind !== "exited" || status.code !== 0) throw new Error(`find bench: find ${path} (${domain}) ended ${JSON.stringify(status)}`);
  if (lines !== expectedLines) throw new Error(`find bench: find ${path} (${domain}) printed ${lines} lines, expected ${expectedLines}`);
  return elapsed;
}

function timed(body: () => void): number {
  const started = performance.now();
  body();
  return performance.now() - started;
}

interface TreeResult {
  readonly tree: string;
  readonly entries: number;
  readonly kernel: number;
  readonly user: number;
  readonly javascript: number;
  readonly gnuFind: number;
}

async function measureTree(kernel: Kernel, image: ModuleImage, tree: string, guestPath: string, hostRoot: string, entries: number): Promise<TreeResult> {
  const samples = { kernel: [] as number[], user: [] as number[], javascript: [] as number[], gnuFind: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const kernelTime = await timedFind(kernel, image, guestPath, "kernel", entries + 1);
    const userTime = await timedFind(kernel, image, guestPath, "user", entries + 1);
    const javascriptTime = timed(() => {
      const paths: string[] = [];
      javascriptWalk(hostRoot, paths);
      if (paths.length !== entries + 1) throw new Error(`find bench: the JavaScript walk found ${paths.length} paths`);
    });
    const gnuTime = timed(() => execFileSync("find", [hostRoot], { maxBuffer: 64 << 20 }));
    samples.kernel.push(kernelTime);
    samples.user.push(userTime);
    samples.javascript.push(javascriptTime);
    samples.gnuFind.push(gnuTime);
  }
  return {
    tree, entries, kernel: median(samples.kernel), user: median(samples.user), javascript: median(samples.javascript), gnuFind: median(samples.gnuFind),
  };
}

/** The in-memory tree gets the same shape as the host one, under /memory (no links: the in-memory tree has none). */
export function memorySink(kernel: Kernel, hostRoot: string): TreeSink {
  const files = kernel.services.files!;
  const guest = (path: string) => "/memory" + path.slice(hostRoot.length);
  const create = { read: false, write: true, create: true, truncate: false, append: false, exclusive: false, directory: false };
  return {
    directory: (path) => files.mkdir(guest(path)),
    file: (path, text) => {
      const { node } = files.open(guest(path), create);
      node.write(new TextEncoder().encode(text), 0);
      node.close();
    },
  };
}

export async function runFindBenchmarks(): Promise<BenchTable[]> {
  const root = mkdtempSync(join(tmpdir(), "singlet-find-bench-"));
  const kernel = bootKernel({ mounts: [{ hostDirectory: root, guestPath: "/data", writable: false }] });
  try {
    const host = generateTree(root, FIND_ENTRIES);
    kernel.services.files!.mkdir("/memory");
    const memory = generateTree(root, FIND_ENTRIES, memorySink(kernel, root));
    const image = kernel.load(resolveModuleSource("find", join(projectRoot, "apps")).bytes);
    // The plain-JavaScript walk and GNU find read the host tree in both rows: the in-memory tree has no host counterpart.
    // Warm-up of both trees in both domains first: a user domain's code tiers up over its first runs.
    for (let run = 0; run < WARMUPS; run++) {
      for (const domain of ["kernel", "user"] as const) {
        await timedFind(kernel, image, "/memory", domain, memory.entries + 1);
        await timedFind(kernel, image, "/data", domain, host.entries + 1);
      }
    }
    const results = [
      await measureTree(kernel, image, "in-memory", "/memory", root, memory.entries),
      await measureTree(kernel, image, "host directory", "/data", root, host.entries),
    ];
    const table: BenchTable = {
      title: `find over a generated tree (${FIND_ENTRIES} entries): median ms of ${RUNS} interleaved runs`,
      columns: ["tree", "entries", "kernel-mode find", "user-mode find", "plain JS walk", "GNU find", "speedup kernel/user", "seed speedup", "kernel ÷ JS walk", "goal"],
      rows: results.map((result) => [
        result.tree, result.entries, round(result.kernel), round(result.user), round(result.javascript), round(result.gnuFind),
        `${round(result.user / result.kernel)}×`, `${SEED_SPEEDUP}×`, `${round(result.kernel / result.javascript)}×`, `≤ ${GOAL_RATIO_TO_JAVASCRIPT}×`,
      ]),
      notes: [
        "kernel-mode and user-mode find: apps/find spawned, run and ended, output counted by a sink (process start and end included: under half a millisecond for an empty directory)",
        "plain JS walk: fs.readdirSync with file types, recursive, building the same path strings, over the host tree in both rows",
        "no listing is cached across runs: every kernel-mode and user-mode run reads every directory from the host, as the JS walk does",
        `host directory, kernel and user mode: listed ${new NodeHostFiles().lister ? "by the host's lister (openat2 beneath the mount root, getdents64; hal/node/native)" : "by fs.readdirSync: no lister was built on this host"}`,
        "GNU find: a child process (spawn, walk, and its output piped back), over the host tree in both rows",
        `seed: the Kernel Mode Linux + TAL paper's find, ${SEED_SPEEDUP}× faster in kernel mode than in user mode`,
      ],
    };
    writeJson(table, results);
    return [table];
  } finally {
    await kernel.shutdown();
    rmSync(root, { recursive: true, force: true });
  }
}

function writeJson(table: BenchTable, results: readonly TreeResult[]): void {
  writeExperimentResults("find", {
    entries: FIND_ENTRIES, runs: RUNS,
    seed: { speedupKernelOverUser: SEED_SPEEDUP }, goals: { kernelOverJavascript: GOAL_RATIO_TO_JAVASCRIPT, speedupKernelOverUser: SEED_SPEEDUP },
    milliseconds: results, table,
  });
}
