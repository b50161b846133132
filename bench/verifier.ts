// Verifier benchmarks: throughput beside WebAssembly.validate alone, and the running-time
// overhead of fuel on a set of workloads of different shapes (fuel-workloads.ts). The bench runner calls runVerifierBenchmarks();
// `node dist/bench/verifier.js` prints the tables on its own.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fuelGlobalOf, setFuel, verifyModule, type VerifyOptions } from "../verifier/index.js";
import type { BenchTable } from "./table.js";
import { buildFuelWorkloads } from "./fuel-workloads.js";
import { generateLargeModule } from "./verifier-workloads.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SAMPLES = 11;
const THROUGHPUT_GOAL = 0.25;
const OVERHEAD_GOAL = 0.15;
/** Time each pipeline runs on each module before any is sampled. */
const WARM_UP_MILLISECONDS = 400;

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** How many calls of `work` fill about `sampleMilliseconds`. */
function repeatsFor(work: () => void, sampleMilliseconds: number): number {
  // Warm up first, so optimised code is what is measured.
  const warmUntil = performance.now() + 150;
  while (performance.now() < warmUntil) work();
  const started = performance.now();
  work();
  return Math.max(1, Math.round(sampleMilliseconds / Math.max(performance.now() - started, 0.001)));
}

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

function throughputTable(): BenchTable {
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
      `every pipeline ran ${WARM_UP_MILLISECONDS} ms on every module before sampling: steady state, not a cold first call`],
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

/** Samples of the fuel table, each one timing of plain and one of fuel, in alternating order. */
const FUEL_SAMPLES = 15;
/** Each timing repeats the entry until about this long: short entries alone are timer noise. */
const FUEL_SAMPLE_MILLISECONDS = 40;
/** Budget set before every instrumented call: far more than any workload uses. */
const UNLIMITED_FUEL = 1e15;

async function fuelOverheadTable(): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  for (const workload of await buildFuelWorkloads()) {
    const result = verifyModule(workload.bytes);
    if (!result.accepted) throw new Error(`${workload.name} was not accepted: ${result.findings[0]?.message}`);
    const plain = new WebAssembly.Instance(new WebAssembly.Module(workload.bytes), {});
    const fueled = new WebAssembly.Instance(new WebAssembly.Module(result.output!), {
      "singlet:kernel/fuel@0.1.0": { exhausted: () => { throw new Error("fuel exhausted in the benchmark"); } },
    });
    const plainEntry = plain.exports[workload.entry] as () => number;
    const fueledEntry = fueled.exports[workload.entry] as () => number;
    const runFueled = (): number => {
      setFuel(fueled, UNLIMITED_FUEL);
      return fueledEntry();
    };
    if (plainEntry() !== runFueled()) throw new Error(`${workload.name}: instrumented result differs`);
    const fuelUsed = UNLIMITED_FUEL - Number(fuelGlobalOf(fueled)!.value);
    const plainRepeats = repeatsFor(plainEntry, FUEL_SAMPLE_MILLISECONDS);
    const fueledRepeats = repeatsFor(runFueled, FUEL_SAMPLE_MILLISECONDS);
    const timeOf = (entry: () => number, repeats: number): number => {
      const started = performance.now();
      for (let repeat = 0; repeat < repeats; repeat++) entry();
      return (performance.now() - started) / repeats;
    };
    const plainTimes: number[] = [];
    const fueledTimes: number[] = [];
    const ratios: number[] = [];
    for (let sample = 0; sample < FUEL_SAMPLES; sample++) {
      // Alternate which goes first, so a drift in machine load favours neither.
      let plainTime: number;
      let fueledTime: number;
      if (sample % 2 === 0) {
        plainTime = timeOf(plainEntry, plainRepeats);
        fueledTime = timeOf(runFueled, fueledRepeats);
      } else {
        fueledTime = timeOf(runFueled, fueledRepeats);
        plainTime = timeOf(plainEntry, plainRepeats);
      }
      plainTimes.push(plainTime);
      fueledTimes.push(fueledTime);
      ratios.push(fueledTime / plainTime);
    }
    const ratio = median(ratios);
    const overhead = ratio - 1;
    rows.push([workload.name, Number(median(plainTimes).toFixed(2)), Number(median(fueledTimes).toFixed(2)), Number(ratio.toFixed(3)),
      `${(overhead * 100).toFixed(1)}%`, result.stats.fuelPointsInserted, fuelUsed.toExponential(2), overhead <= OVERHEAD_GOAL ? "yes" : "no"]);
  }
  return {
    title: `Fuel overhead by workload (plain and fuel interleaved in one run, median of ${FUEL_SAMPLES} samples)`,
    columns: ["workload", "plain ms", "fuel ms", "fuel/plain (median of ratios)", "overhead", "charges", "fuel per call", `goal ≤ ${OVERHEAD_GOAL * 100}%`],
    rows,
    notes: [
      "fuel is charged per region: once at function entry and once per loop iteration, for all the region's instructions",
      "the counter lives in a local of each function, passed to callees as a parameter and returned as a result (docs/verifier/fuel.md)",
      `each sample times each side for about ${FUEL_SAMPLE_MILLISECONDS} ms; samples alternate which side runs first`,
    ],
  };
}

export async function runVerifierBenchmarks(): Promise<BenchTable[]> {
  return [throughputTable(), await fuelOverheadTable()];
}

function printTable(table: BenchTable): void {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  console.log(`\n${table.title}`);
  for (const row of cells) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}`);
  for (const note of table.notes ?? []) console.log(`  note: ${note}`);
}

if (process.argv[1]?.endsWith("verifier.js")) {
  for (const table of await runVerifierBenchmarks()) printTable(table);
}
