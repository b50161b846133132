// The event benchmarks' apps, in WAT so each one does exactly what its row measures and nothing
// more. Every app exports `dispatch` (the kernel domain calls it per event) and `serve` (a user
// domain's loop: `events.wait`, then `dispatch`), as the AssemblyScript runtime's apps do.

import type { Manifest } from "../runtime/abi/index.js";

const NANOSECONDS_PER_MILLISECOND = 1_000_000;

/** Each app's manifest: the world's three entries, and what its calls need. */
export function manifestFor(name: string, capabilities: string[] = []): Manifest {
  return { name, capabilities, entryPoints: { main: {}, dispatch: {}, serve: {} } };
}

const IMPORTS = {
  yield: `(import "singlet:kernel/process@0.1.0" "yield" (func $yield (param i32) (result i32)))`,
  wait: `(import "singlet:kernel/events@0.1.0" "wait" (func $wait (result i64)))`,
  now: `(import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))`,
  startTimer: `(import "singlet:kernel/timers@0.1.0" "start" (func $startTimer (param i64 i64 i32) (result i32)))`,
  write: `(import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))`,
};

/** `serve`: waits for each event and hands it to `dispatch` until none can come (a negative answer). */
export const SERVE = `
  (func (export "serve") (local $event i64)
    (block $done (loop $next
      (local.set $event (call $wait))
      (br_if $done (i64.lt_s (local.get $event) (i64.const 0)))
      (call $dispatch (i32.wrap_i64 (i64.shr_u (local.get $event) (i64.const 32))) (i32.wrap_i64 (local.get $event)))
      (br $next))))`;

function app(imports: string[], body: string): string {
  return `(module
  ${[IMPORTS.wait, ...imports].join("\n  ")}
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  ${body}
  ${SERVE})`;
}

/**
 * Main yields; each delivery yields again until `events` have been delivered, then stops, so the
 * process has nothing left to wake it and ends. The handler is otherwise empty: what a delivery
 * costs is the kernel's path around it.
 */
export function yieldingApp(events: number): string {
  return app([IMPORTS.yield], `
  (global $left (mut i32) (i32.const ${events}))
  (func (export "main") (result i32) (drop (call $yield (i32.const 0))) (i32.const 0))
  (func $dispatch (export "dispatch") (param i32 i32)
    (global.set $left (i32.sub (global.get $left) (i32.const 1)))
    (if (global.get $left) (then (drop (call $yield (i32.const 0))))))`);
}

/**
 * `expiries` one-shot timers, `delayMilliseconds` apart: each handler first reads clock.now and
 * writes it as 16 hex digits and a newline (its entry time, for the bench to read), then starts
 * the next timer. The last handler starts none, so the process ends.
 */
export function timerEntryApp(expiries: number, delayMilliseconds: number): string {
  const delay = BigInt(delayMilliseconds * NANOSECONDS_PER_MILLISECOND);
  return app([IMPORTS.now, IMPORTS.startTimer, IMPORTS.write], `
  (global $left (mut i32) (i32.const ${expiries}))
  (func (export "main") (result i32) (drop (call $startTimer (i64.const ${delay}) (i64.const 0) (i32.const 0))) (i32.const 0))
  (func $dispatch (export "dispatch") (param i32 i32) (local $entered i64) (local $digit i32) (local $nibble i32)
    (local.set $entered (call $now))
    (loop $digits
      (local.set $nibble (i32.wrap_i64 (i64.and (i64.shr_u (local.get $entered)
        (i64.extend_i32_u (i32.sub (i32.const 60) (i32.mul (local.get $digit) (i32.const 4))))) (i64.const 15))))
      (i32.store16 (i32.add (i32.const 64) (i32.mul (local.get $digit) (i32.const 2)))
        (i32.add (local.get $nibble) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $nibble) (i32.const 10)))))
      (br_if $digits (i32.lt_u (local.tee $digit (i32.add (local.get $digit) (i32.const 1))) (i32.const 16))))
    (i32.store16 (i32.const 96) (i32.const 10))
    (drop (call $write (i32.const 64) (i32.const 17)))
    (global.set $left (i32.sub (global.get $left) (i32.const 1)))
    (if (global.get $left) (then (drop (call $startTimer (i64.const ${delay}) (i64.const 0) (i32.const 0))))))`);
}

/** Main returns at once and the handler does nothing: the events come from the bench, kernel side. */
export function idleHandlerApp(): string {
  return app([], `
  (func (export "main") (result i32) (i32.const 0))
  (func $dispatch (export "dispatch") (param i32 i32))`);
}

/** An empty export for the floor: one JS→Wasm call that does nothing. */
export const EMPTY_EXPORT_MODULE = `(module (func (export "empty")))`;
