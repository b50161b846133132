// Event apps for the timer, scheduler and event suites, written in WAT so each one controls
// exactly which calls it makes and when. Every app has what the kernel needs to deliver events in
// either domain: `dispatch(kind, tag)` for the kernel domain and a `serve` loop around
// `events.wait` for a user domain, so the same binary runs in both.
import type { Manifest } from "../../runtime/abi/index.js";
import { assembleWat } from "../helpers/wat.js";

/** Every call an event app may make, with its exact core signature (runtime/abi/kernel-abi.generated.ts). */
const IMPORTS = `
  (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
  (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
  (import "singlet:kernel/events@0.1.0" "wait" (func $wait (result i64)))
  (import "singlet:kernel/timers@0.1.0" "start" (func $start (param i64 i64 i32) (result i32)))
  (import "singlet:kernel/timers@0.1.0" "cancel" (func $cancel (param i32) (result i32)))
  (import "singlet:kernel/process@0.1.0" "yield" (func $yield (param i32) (result i32)))
  (import "singlet:kernel/process@0.1.0" "exit" (func $exit (param i32)))
  (import "singlet:kernel/capabilities@0.1.0" "drop" (func $drop (param i32) (result i32)))
  (import "singlet:kernel/capabilities@0.1.0" "kind" (func $kindOf (param i32) (result i32)))`;

/** The words an app can print, laid out once at WORDS_BASE in every app's memory. */
const WORDS = ["timer", "yield", "at", "main", "start", "cancel", "drop", "kind", "busy", "done", "limit", "tick", "ok", "wait", "again"] as const;
export type Word = (typeof WORDS)[number];

const WORDS_BASE = 1024;
/** A line is built here, then written with one console.write (so each line arrives whole). */
const LINE_BASE = 4096;
/** cabi_realloc hands out memory from here up. */
const HEAP_BASE = 8192;

const wordOffsets = new Map<Word, number>();
let wordText = "";
for (const word of WORDS) {
  // Strings at the ABI are UTF-16: two bytes a unit, lengths in units.
  wordOffsets.set(word, WORDS_BASE + wordText.length / 2);
  wordText += [...word].map((character) => `${character}\\00`).join("");
}

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;

/** Appends `word` and a space to the line being built. */
export function word(text: Word): string {
  return `(call $word (i32.const ${wordOffsets.get(text)!}) (i32.const ${text.length}))`;
}

/** Appends a signed 32-bit value (an i32 expression) in decimal. */
export function int(expression: string): string {
  return `(call $number (i64.extend_i32_s ${expression}))`;
}

/** Appends a signed 64-bit value (an i64 expression) in decimal. */
export function long(expression: string): string {
  return `(call $number ${expression})`;
}

/** Appends the result of a call that returns a handle (an i32 expression): "ok" for a handle, else the negative error code. */
export function outcome(expression: string): string {
  return `(call $outcome ${expression})`;
}

/** Builds one line from `parts` and writes it: `line(word("timer"), int("(local.get $tag)"))` prints "timer 3". */
export function line(...parts: string[]): string {
  return `${parts.join(" ")} (call $line)`;
}

/** `timers.start(delay, period, tag)` with milliseconds given, nanoseconds passed; an i32 expression. */
export function startTimer(delayMilliseconds: number, periodMilliseconds: number, tag: number | string): string {
  return startTimerNanoseconds(BigInt(delayMilliseconds) * NANOSECONDS_PER_MILLISECOND, BigInt(periodMilliseconds) * NANOSECONDS_PER_MILLISECOND, tag);
}

/** `timers.start` with the u64 nanoseconds exactly as given (written as the i64 of the same bits). */
export function startTimerNanoseconds(delay: bigint, period: bigint, tag: number | string): string {
  const tagExpression = typeof tag === "number" ? `(i32.const ${tag})` : tag;
  return `(call $start (i64.const ${BigInt.asIntN(64, delay)}) (i64.const ${BigInt.asIntN(64, period)}) ${tagExpression})`;
}

/** "timer 7 at 10000000": the event's kind, its tag and the virtual time the handler ran. */
const REPORT_EVENT_WITH_TIME = line("(call $kindWord (local.get $kind))", int("(local.get $tag)"), word("at"), long("(call $now)"));

/** "timer 7": the event's kind and tag, for apps that run where time is not virtual. */
export const REPORT_EVENT = line("(call $kindWord (local.get $kind))", int("(local.get $tag)"));

export interface EventAppParts {
  /** main's body, ending with its i32 result. */
  readonly main: string;
  /** dispatch's body (parameters `$kind` and `$tag`); prints the event with its time by default. */
  readonly dispatch?: string;
  /** Mutable i32 globals, all starting at 0. */
  readonly globals?: readonly string[];
  /** i32 locals of both main and dispatch (named without `$`). */
  readonly locals?: readonly string[];
  /** More functions. */
  readonly functions?: string;
}

/** The WAT text of an event app. */
function eventAppText(parts: EventAppParts): string {
  const globals = (parts.globals ?? []).map((name) => `(global $${name} (mut i32) (i32.const 0))`).join("\n  ");
  const locals = (parts.locals ?? []).map((name) => `(local $${name} i32)`).join(" ");
  return `(module
  ${IMPORTS}
  (memory (export "memory") 1 4)
  (data (i32.const ${WORDS_BASE}) "${wordText}")
  (global $heap (mut i32) (i32.const ${HEAP_BASE}))
  (global $cursor (mut i32) (i32.const ${LINE_BASE}))
  ${globals}
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $pointer i32)
    (local.set $pointer (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.and (i32.add (local.get 3) (i32.const 15)) (i32.const -16))))
    (local.get $pointer))
  (func $word (param $at i32) (param $units i32)
    (memory.copy (global.get $cursor) (local.get $at) (i32.shl (local.get $units) (i32.const 1)))
    (global.set $cursor (i32.add (global.get $cursor) (i32.shl (local.get $units) (i32.const 1))))
    (call $space))
  (func $unit (param $character i32)
    (i32.store16 (global.get $cursor) (local.get $character))
    (global.set $cursor (i32.add (global.get $cursor) (i32.const 2))))
  (func $space (call $unit (i32.const 32)))
  (func $number (param $value i64)
    (local $start i32) (local $end i32) (local $swap i32)
    (if (i64.lt_s (local.get $value) (i64.const 0))
      (then
        (call $unit (i32.const 45))
        (local.set $value (i64.sub (i64.const 0) (local.get $value)))))
    (local.set $start (global.get $cursor))
    ;; Digits come out least significant first, then the run is reversed in place.
    (loop $digit
      (call $unit (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $value) (i64.const 0))))
    (local.set $end (i32.sub (global.get $cursor) (i32.const 2)))
    (block $reversed
      (loop $swapPair
        (br_if $reversed (i32.ge_u (local.get $start) (local.get $end)))
        (local.set $swap (i32.load16_u (local.get $start)))
        (i32.store16 (local.get $start) (i32.load16_u (local.get $end)))
        (i32.store16 (local.get $end) (local.get $swap))
        (local.set $start (i32.add (local.get $start) (i32.const 2)))
        (local.set $end (i32.sub (local.get $end) (i32.const 2)))
        (br $swapPair)))
    (call $space))
  (func $line
    ;; The last space becomes the newline.
    (i32.store16 (i32.sub (global.get $cursor) (i32.const 2)) (i32.const 10))
    (drop (call $write (i32.const ${LINE_BASE}) (i32.shr_u (i32.sub (global.get $cursor) (i32.const ${LINE_BASE})) (i32.const 1))))
    (global.set $cursor (i32.const ${LINE_BASE})))
  (func $outcome (param $result i32)
    (if (i32.ge_s (local.get $result) (i32.const 0)) (then ${word("ok")} (return)))
    ${int("(local.get $result)")})
  (func $kindWord (param $kind i32)
    (if (i32.eq (local.get $kind) (i32.const 1)) (then ${word("timer")} (return)))
    (if (i32.eq (local.get $kind) (i32.const 2)) (then ${word("yield")} (return)))
    ${int("(local.get $kind)")})
  ${parts.functions ?? ""}
  (func $serve (export "serve")
    (local $event i64)
    (block $noMore
      (loop $next
        (local.set $event (call $wait))
        (br_if $noMore (i64.lt_s (local.get $event) (i64.const 0)))
        (call $dispatch (i32.wrap_i64 (i64.shr_u (local.get $event) (i64.const 32))) (i32.wrap_i64 (local.get $event)))
        (br $next))))
  (func $dispatch (export "dispatch") (param $kind i32) (param $tag i32) ${locals}
    ${parts.dispatch ?? REPORT_EVENT_WITH_TIME})
  (func $main (export "main") (result i32) ${locals}
    ${parts.main}))`;
}

export async function eventApp(parts: EventAppParts): Promise<Uint8Array<ArrayBuffer>> {
  return assembleWat(eventAppText(parts), "event-app.wat");
}

export interface EventManifestOptions {
  readonly capabilities?: readonly string[];
  /** Fuel of one `dispatch` call in the kernel domain. */
  readonly dispatchFuel?: number;
}

/** An event app's manifest: console and clock unless told otherwise, `dispatch` with its own fuel when given. */
export function eventManifest(name: string, options: EventManifestOptions = {}): Manifest {
  const dispatch = options.dispatchFuel === undefined ? { mode: "callers" as const } : { mode: "callers" as const, fuel: options.dispatchFuel };
  return {
    name,
    capabilities: [...(options.capabilities ?? ["console", "clock"])],
    entryPoints: { main: { mode: "callers" }, dispatch, serve: { mode: "callers" } },
  };
}
