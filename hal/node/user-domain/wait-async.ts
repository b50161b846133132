// Atomics.waitAsync, which Node 20 has but the ES2022 library typings lack.

export type WaitAsyncResult =
  | { readonly async: false; readonly value: "not-equal" | "timed-out" }
  | { readonly async: true; readonly value: Promise<"ok" | "timed-out"> };

const atomics = Atomics as typeof Atomics & {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMilliseconds?: number): WaitAsyncResult;
};

/** Waits without blocking while `array[index] === value`. */
export function waitAsync(array: Int32Array, index: number, value: number, timeoutMilliseconds?: number): WaitAsyncResult {
  return atomics.waitAsync(array, index, value, timeoutMilliseconds);
}
