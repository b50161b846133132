// Timing helpers shared by the verifier benchmarks: medians, and repeat counts that fill a sample.

export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** How many calls of `work` fill about `sampleMilliseconds`. */
export function repeatsFor(work: () => void, sampleMilliseconds: number): number {
  // Warm up first, so optimised code is what is measured.
  const warmUntil = performance.now() + 150;
  while (performance.now() < warmUntil) work();
  const started = performance.now();
  work();
  return Math.max(1, Math.round(sampleMilliseconds / Math.max(performance.now() - started, 0.001)));
}
