// Where an experiment's figures go as JSON besides the printed table: bench/results/NAME.json, the
// directory the runner's latest.json shares (git ignores it), so a chart or a note can be made
// from one run's figures without parsing printed tables.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { projectRoot } from "../runtime/toolchain/paths.js";

export const RESULTS_DIRECTORY = join(projectRoot, "bench", "results");

/** Writes `figures` (with the date, the Node version and the load average at the end added) to bench/results/`experiment`.json; returns the path. */
export function writeExperimentResults(experiment: string, figures: Record<string, unknown>): string {
  const path = join(RESULTS_DIRECTORY, `${experiment}.json`);
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  writeFileSync(path, JSON.stringify({ experiment, date: new Date().toISOString(), node: process.version, loadAverage: loadavg(), ...figures }, null, 2) + "\n");
  return path;
}
