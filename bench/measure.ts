// Measurement helpers: medians of repeated timed runs, side by side in one process.

/** Runs `body` `repetitions` times after `warmups`, returning the median time per call in ns. */
export function medianNanosecondsPerCall(body: (iterations: number) => void, iterations: number, repetitions = 15, warmups = 3): number {
  for (let index = 0; index < warmups; index++) body(iterations);
  const samples: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const started = process.hrtime.bigint();
    body(iterations);
    samples.push(Number(process.hrtime.bigint() - started) / iterations);
  }
  return median(samples);
}

export async function medianMilliseconds(body: () => Promise<void> | void, repetitions = 15, warmups = 3): Promise<number> {
  for (let index = 0; index < warmups; index++) await body();
  const samples: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const started = process.hrtime.bigint();
    await body();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
