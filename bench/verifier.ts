// Verifier benchmarks: throughput beside WebAssembly.validate alone (verifier-throughput.ts, in a
// child process), and the running-time overhead of fuel on a set of workloads of different shapes
// (fuel-workloads.ts). The bench runner calls runVerifierBenchmarks();
// `node dist/bench/verifier.js` prints the tables on its own.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fuelGlobalOf, setFuel, verifyModule } from "../verifier/index.js";
import type { BenchTable } from "./table.js";
import { buildFuelWorkloads } from "./fuel-workloads.js";
import { median, repeatsFor } from "./verifier-timing.js";

const OVERHEAD_GOAL = 0.15;

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
    const plainModule = new WebAssembly.Module(workload.bytes);
    const fueledModule = new WebAssembly.Module(result.output!);
    const fuelImports = { "singlet:kernel/fuel@0.1.0": { exhausted: () => { throw new Error("fuel exhausted in the benchmark"); } } };
    // A fresh pair of instances for every sample: an instance's memory lands on its own physical
    // pages, and a strided workload (the matrix multiply's 1 KiB column stride) runs up to ~10 %
    // faster or slower on one layout than another. One instance per side for the whole table made
    // that luck part of the ratio; a new pair per sample makes the median average it out.
    const instancePair = (): { plainEntry: () => number; runFueled: () => number; fueled: WebAssembly.Instance } => {
      const plainEntry = new WebAssembly.Instance(plainModule, {}).exports[workload.entry] as () => number;
      const fueled = new WebAssembly.Instance(fueledModule, fuelImports);
      const fueledEntry = fueled.exports[workload.entry] as () => number;
      const runFueled = (): number => {
        setFuel(fueled, UNLIMITED_FUEL);
        return fueledEntry();
      };
      return { plainEntry, runFueled, fueled };
    };
    const first = instancePair();
    if (first.plainEntry() !== first.runFueled()) throw new Error(`${workload.name}: instrumented result differs`);
    const fuelUsed = UNLIMITED_FUEL - Number(fuelGlobalOf(first.fueled)!.value);
    const plainRepeats = repeatsFor(first.plainEntry, FUEL_SAMPLE_MILLISECONDS);
    const fueledRepeats = repeatsFor(first.runFueled, FUEL_SAMPLE_MILLISECONDS);
    const timeOf = (entry: () => number, repeats: number): number => {
      // One untimed call first: a fresh instance's first touches of its memory are page faults.
      entry();
      const started = performance.now();
      for (let repeat = 0; repeat < repeats; repeat++) entry();
      return (performance.now() - started) / repeats;
    };
    const plainTimes: number[] = [];
    const fueledTimes: number[] = [];
    const ratios: number[] = [];
    for (let sample = 0; sample < FUEL_SAMPLES; sample++) {
      const { plainEntry, runFueled } = sample === 0 ? first : instancePair();
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
      `each sample times each side for about ${FUEL_SAMPLE_MILLISECONDS} ms on a fresh pair of instances (memory layout luck averages out); samples alternate which side runs first`,
    ],
  };
}

export async function runVerifierBenchmarks(): Promise<BenchTable[]> {
  return [throughputTableInChild(), await fuelOverheadTable()];
}

/**
 * The throughput table, measured in a child process that loads only the verifier, as the
 * kernel's load path does: this process holds the AssemblyScript compiler and wabt for the fuel
 * workloads and the other suites, and with them loaded the same verify of apps/hello measured
 * about a fifth slower (a larger heap for the collector to keep, more of it to walk).
 */
function throughputTableInChild(): BenchTable {
  const script = fileURLToPath(new URL("./verifier-throughput.js", import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [script], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })) as BenchTable;
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
