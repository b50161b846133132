// A profiling harness for the find experiment (not part of `npm run bench`): boots a kernel with a
// host mount of the generated tree (or the in-memory one: FIND_PROFILE_TREE=memory), runs
// apps/find in the kernel domain FIND_PROFILE_RUNS times, each run beside a plain readdirSync walk
// and readdirSync of the same directories alone, and prints the medians. Under
// `node --cpu-prof dist/bench/find-profile.js` it shows where the kernel-mode walk spends its time.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bootKernel, resolveModuleSource } from "../kernel/index.js";
import { generateTree } from "./file-tree.js";
import { median } from "./measure.js";
import { javascriptWalk, memorySink } from "./find.js";

const RUNS = Number(process.env.FIND_PROFILE_RUNS ?? 50);
const GUEST = process.env.FIND_PROFILE_TREE === "memory" ? "/memory" : "/data";
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function collectDirectories(directory: string, into: string[]): void {
  into.push(directory);
  for (const entry of readdirSync(directory, { withFileTypes: true })) if (entry.isDirectory()) collectDirectories(directory + "/" + entry.name, into);
}

const root = mkdtempSync(join(tmpdir(), "singlet-find-profile-"));
const kernel = bootKernel({ mounts: [{ hostDirectory: root, guestPath: "/data", writable: false }] });
try {
  const tree = generateTree(root, 10_000);
  if (GUEST === "/memory") {
    kernel.services.files!.mkdir("/memory");
    generateTree(root, 10_000, memorySink(kernel, root));
  }
  const image = kernel.load(resolveModuleSource("find", join(projectRoot, "apps")).bytes);
  // The host calls alone: readdirSync with file types of every directory of the tree, no paths built.
  const directories: string[] = [];
  collectDirectories(root, directories);
  const samples = { kernel: [] as number[], javascript: [] as number[], readdir: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    // A hook for instrumentation: the first ten runs warm up, what is counted after that is steady.
    if (run === 10) (globalThis as { findProfileWarm?: () => void }).findProfileWarm?.();
    let lines = 0;
    const started = performance.now();
    const spawned = kernel.spawn(image, { args: [GUEST], domain: "kernel", output: (_stream, text) => { for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++; } });
    const status = await spawned.completion;
    samples.kernel.push(performance.now() - started);
    if (status.kind !== "exited" || lines !== tree.entries + 1) throw new Error(`find ended ${JSON.stringify(status)} after ${lines} lines`);
    const walkStarted = performance.now();
    javascriptWalk(root, []);
    samples.javascript.push(performance.now() - walkStarted);
    const readdirStarted = performance.now();
    for (const directory of directories) readdirSync(directory, { withFileTypes: true });
    samples.readdir.push(performance.now() - readdirStarted);
  }
  console.log(`${RUNS} runs over ${GUEST}, medians: kernel-mode find ${median(samples.kernel).toFixed(2)} ms, JS walk ${median(samples.javascript).toFixed(2)} ms, ` +
    `readdirSync alone ${median(samples.readdir).toFixed(2)} ms (${directories.length} directories); kernel ÷ JS walk ${(median(samples.kernel) / median(samples.javascript)).toFixed(2)}×`);
} finally {
  await kernel.shutdown();
  rmSync(root, { recursive: true, force: true });
}
