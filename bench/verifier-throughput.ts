// The verifier's throughput beside WebAssembly.validate alone, on apps/hello and a generated
// 4 MiB module. Run by bench/verifier.ts in a child process that loads only the verifier (and
// the module generator); prints the table as JSON.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyModule, type VerifyOptions } from "../verifier/index.js";
import type { BenchTable } from "./table.js";
import { generateLargeModule } from "./verifier-workloads.js";
import { median, repeatsFor } from "./verifier-timing.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SAMPLES = 11;
const THROUGHPUT_GOAL = 0.25;
/** Time each pipeline runs on each module before any is sampled. */
const WARM_UP_MILLISECONDS = 400;

/**
 * Milliseconds per call of `baseline` and of `candidate`, sampled alternately so both see the
 * same machine load; the medians, and the median of the per-sample ratios baseline/candidate.
 */
function timePair(baseline: () => void, candidate: () => void, sampleMilliseconds = 60) {
  const baselineRepeats = repeatsFor(baseline, sampleMilliseconds);
  const candidateRepeats = repeatsFor(candidate, sampleMilliseconds);
  const baselineTimes: number[] = [];
  const candidateTimes: number[] = [];
  const ratios: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    let started = performance.now();
    for (let repeat = 0; repeat < baselineRepeats; repeat++) baseline();
    const baselineTime = (performance.now() - started) / baselineRepeats;
    started = performance.now();
    for (let repeat = 0; repeat < candidateRepeats; repeat++) candidate();
    const candidateTime = (performance.now() - started) / candidateRepeats;
    baselineTimes.push(baselineTime);
    candidateTimes.push(candidateTime);
    ratios.push(baselineTime / candidateTime);
  }
  return { baseline: median(baselineTimes), candidate: median(candidateTimes), ratio: median(ratios) };
}

function megabytesPerSecond(bytes: number, milliseconds: number): number {
  return Number((bytes / 1e6 / (milliseconds / 1e3)).toFixed(1));
}

export function throughputTable(): BenchTable {
  const hello = new Uint8Array(readFileSync(join(projectRoot, "apps", "hello", "build", "hello.wasm")));
  const large = generateLargeModule(4 * 1024 * 1024);
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const modules = [["apps/hello", hello], ["generated 4 MiB module", large]] as const;
  const variants: [string, VerifyOptions][] = [
    ["verify, fuel (default)", {}],
    ["verify, fuel, output re-validated", { validateOutput: true }],
    ["verify, checks only (fuel off)", { fuel: false }],
  ];
  // Every pipeline on every module first: the verifier is JavaScript that V8 optimises over the
  // first few thousand calls, and without this the first row alone would pay for it.
  for (const [name, bytes] of modules) {
    const probe = verifyModule(bytes);
    if (!probe.accepted) throw new Error(`${name} was not accepted: ${probe.findings[0]?.message}`);
    for (const [, options] of variants) {
      const warmUntil = performance.now() + WARM_UP_MILLISECONDS;
      while (performance.now() < warmUntil) verifyModule(bytes, options);
    }
  }
  for (const [name, bytes] of modules) {
    for (const [variant, options] of variants) {
      const timing = timePair(() => { WebAssembly.validate(bytes); }, () => { verifyModule(bytes, options); });
      rows.push([name, bytes.length, variant, megabytesPerSecond(bytes.length, timing.baseline), megabytesPerSecond(bytes.length, timing.candidate),
        Number(timing.ratio.toFixed(2)), timing.ratio >= THROUGHPUT_GOAL ? "yes" : "no"]);
    }
    const stages = verifyModule(bytes).stats.stageMilliseconds;
    notes.push(`${name} stages (ms, one run): ${Object.entries(stages).map(([stage, value]) => `${stage} ${value.toFixed(2)}`).join(", ")}`);
  }
  const singleThreaded = singleThreadedValidateMegabytesPerSecond();
  notes.push(`V8 validates function bodies on background threads (this machine has ${availableParallelism()} CPUs); `
    + `WebAssembly.validate of the 4 MiB module in a --single-threaded node: ${singleThreaded} MB/s`);
  return {
    title: "Verifier throughput beside WebAssembly.validate (11 alternating samples)",
    columns: ["module", "bytes", "pipeline", "validate MB/s", "verify MB/s", "verify/validate (median of ratios)", `goal ≥ ${THROUGHPUT_GOAL}`],
    rows,
    notes: [...notes, "verify includes WebAssembly.validate itself, so the ratio cannot exceed 1",
      "the re-validated pipeline (an opt-in check, off on the kernel's load path) runs WebAssembly.validate twice, on the input and on the output, so its ratio cannot exceed 0.5",
      `every pipeline ran ${WARM_UP_MILLISECONDS} ms on every module before sampling: steady state, not a cold first call`,
      "measured in a child process holding only the verifier, as the kernel's load path does (not the compilers the other benchmarks load)"],
  };
}

/** Median WebAssembly.validate throughput on the generated module in a child `node --single-threaded`. */
function singleThreadedValidateMegabytesPerSecond(): number {
  const workloads = new URL("./verifier-workloads.js", import.meta.url).href;
  const script = `import { generateLargeModule } from ${JSON.stringify(workloads)};
    const bytes = generateLargeModule(4 * 1024 * 1024); const times = [];
    for (let sample = 0; sample < ${SAMPLES}; sample++) { const started = performance.now(); WebAssembly.validate(bytes); times.push(performance.now() - started); }
    times.sort((left, right) => left - right);
    console.log((bytes.length / 1e6 / (times[${Math.floor(SAMPLES / 2)}] / 1e3)).toFixed(1));`;
  return Number(execFileSync(process.execPath, ["--single-threaded", "--input-type=module", "-e", script], { encoding: "utf8" }).trim());
}


process.stdout.write(JSON.stringify(throughputTable()));
