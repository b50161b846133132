// Control transfers a kernel call can ask for. They are thrown through the app's Wasm frames
// to the entry point; plain objects, not Errors, because exit is a normal path and capturing
// a stack trace for it would be waste.
export class ProcessExit {
  constructor(readonly code: number) {}
}

export class ProcessAbort {
  constructor(readonly message: string, readonly file: string, readonly line: number, readonly column: number) {}
}

/**
 * Thrown by the fuel import when an entry's budget is spent; unwinds the entry. Also thrown from
 * inside a kernel call that charges for its work (charge-fuel.ts) or that runs the process's own
 * code (its cabi_realloc), so kernel calls pass it through untouched.
 */
export class FuelExhausted {
  constructor(readonly budget: number) {}
}
