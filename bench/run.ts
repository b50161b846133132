// `npm run bench`: runs every benchmark in one process, prints the tables and writes the same
// figures to bench/results/latest.json.
import os from "node:os";
import { writeExperimentResults } from "./experiment-results.js";
import { runKernelCallBenchmarks } from "./kernel-calls.js";
import { runVerifierBenchmarks } from "./verifier.js";
import { runHalBenchmarks } from "./hal.js";
import { runModeBenchmarks } from "./modes.js";
import { runStartupBenchmarks } from "./startup.js";
import { runEventBenchmarks } from "./events.js";
import { runChannelBenchmarks } from "./channels.js";
import { runFindBenchmarks } from "./find.js";
import { runEchodBenchmarks } from "./echod.js";
import type { BenchTable } from "./table.js";


function formatTable(table: BenchTable): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? "").length)));
  const line = (row: (string | number)[]) => row.map((cell, column) => String(cell).padEnd(widths[column]!)).join("  ");
  return [
    `## ${table.title}`,
    line(table.columns),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...table.rows.map(line),
    ...(table.notes ?? []).map((note) => `note: ${note}`),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const suites: [string, () => Promise<BenchTable[]>][] = [
    ["kernel calls", runKernelCallBenchmarks],
    ["verifier", runVerifierBenchmarks],
    ["hal", runHalBenchmarks],
    ["modes", runModeBenchmarks],
    ["startup", runStartupBenchmarks],
    ["events", runEventBenchmarks],
    ["channels", runChannelBenchmarks],
    ["find", runFindBenchmarks],
    ["echod", runEchodBenchmarks],
  ];
  const only = process.argv[2];
  const tables: BenchTable[] = [];
  for (const [name, suite] of suites) {
    if (only && !name.includes(only)) continue;
    for (const table of await suite()) {
      process.stdout.write(formatTable(table) + "\n");
      tables.push(table);
    }
  }
  // The run's tables as one more entry of the results directory, beside each experiment's own.
  writeExperimentResults("latest", { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, tables });
  process.stdout.write(`wrote ${tables.length} tables to bench/results/latest.json\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
