// Event apps in WAT for the lifecycle and hostile event suites: each fixture says exactly what it
// asks of the event surface (timers, yields, waits) and what its `main`, `dispatch` and `serve`
// do, with a few print helpers so its output can be compared line by line.
import type { Manifest } from "../../../runtime/abi/index.js";
import { conformantModule } from "../../helpers/wat.js";

const PROCESS = "singlet:kernel/process@0.1.0";

/** Every kernel call an event fixture may use; unused imports cost nothing. */
const EVENT_IMPORTS = `
  (import "${PROCESS}" "exit" (func $exit (param i32)))
  (import "${PROCESS}" "yield" (func $yield (param i32) (result i32)))
  (import "${PROCESS}" "abort" (func $abort (param i32 i32 i32 i32 i32 i32)))
  (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
  (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
  (import "singlet:kernel/capabilities@0.1.0" "initial-get" (func $initialGet (param i32) (result i32)))
  (import "singlet:kernel/events@0.1.0" "wait" (func $wait (result i64)))
  (import "singlet:kernel/events@0.1.0" "poll" (func $poll (result i64)))
  (import "singlet:kernel/timers@0.1.0" "start" (func $timerStart (param i64 i64 i32) (result i32)))
  (import "singlet:kernel/timers@0.1.0" "cancel" (func $timerCancel (param i32) (result i32)))`;

/** Where strings live: the print helpers' scratch space sits below, the bump allocator above. */
const STRINGS_START = 1024;
const NUMBER_SCRATCH_END = 1000;
const NEWLINE_ADDRESS = 1000;

/**
 * `$print(pointer, units)`, `$printNumber(value)` (signed decimal) and `$printLine(value)` (the
 * number and a newline): a fixture's output is text a test compares exactly.
 */
const PRINT_HELPERS = `
  (data (i32.const ${NEWLINE_ADDRESS}) "\\0a\\00")
  (func $print (param $pointer i32) (param $units i32)
    (drop (call $write (local.get $pointer) (local.get $units))))
  (func $printNumber (param $value i32)
    (local $position i32) (local $magnitude i32)
    (local.set $position (i32.const ${NUMBER_SCRATCH_END}))
    (local.set $magnitude (select (i32.sub (i32.const 0) (local.get $value)) (local.get $value) (i32.lt_s (local.get $value) (i32.const 0))))
    (loop $digit
      (local.set $position (i32.sub (local.get $position) (i32.const 2)))
      (i32.store16 (local.get $position) (i32.add (i32.const 48) (i32.rem_u (local.get $magnitude) (i32.const 10))))
      (local.set $magnitude (i32.div_u (local.get $magnitude) (i32.const 10)))
      (br_if $digit (local.get $magnitude)))
    (if (i32.lt_s (local.get $value) (i32.const 0)) (then
      (local.set $position (i32.sub (local.get $position) (i32.const 2)))
      (i32.store16 (local.get $position) (i32.const 45))))
    (call $print (local.get $position) (i32.shr_u (i32.sub (i32.const ${NUMBER_SCRATCH_END}) (local.get $position)) (i32.const 1))))
  (func $printLine (param $value i32)
    (call $printNumber (local.get $value))
    (call $print (i32.const ${NEWLINE_ADDRESS}) (i32.const 1)))`;

/** `serve` as the runtime writes it: wait, deliver through `$dispatch`, until the wait answers an error. */
const SERVE_LOOP = `
  (func $serve (export "serve")
    (local $event i64)
    (loop $next
      (local.set $event (call $wait))
      (if (i64.ge_s (local.get $event) (i64.const 0)) (then
        (call $dispatch (i32.wrap_i64 (i64.shr_u (local.get $event) (i64.const 32))) (i32.wrap_i64 (local.get $event)))
        (br $next)))))`;

/** Lays string constants out as UTF-16 data and hands back the instructions that print them. */
export class Strings {
  private next = STRINGS_START;
  private readonly segments: string[] = [];
  private readonly placed = new Map<string, { address: number; units: number }>();

  /** Where `text` lives in memory (UTF-16, one code unit per character here). */
  place(text: string): { address: number; units: number } {
    let found = this.placed.get(text);
    if (!found) {
      const bytes = [...text].map((character) => {
        const code = character.charCodeAt(0);
        return `\\${(code & 0xff).toString(16).padStart(2, "0")}\\${(code >> 8).toString(16).padStart(2, "0")}`;
      }).join("");
      found = { address: this.next, units: text.length };
      this.segments.push(`(data (i32.const ${found.address}) "${bytes}")`);
      this.next += text.length * 2 + 16;
      this.placed.set(text, found);
    }
    return found;
  }

  /** Instructions that print `text`. */
  print(text: string): string {
    const { address, units } = this.place(text);
    return `(call $print (i32.const ${address}) (i32.const ${units}))`;
  }

  /** Instructions that print `label` and then the i32 `value` (an instruction) on one line. */
  printValue(label: string, value: string): string {
    return `${this.print(label)} (call $printLine ${value})`;
  }

  get data(): string {
    return this.segments.join("\n  ");
  }
}

export interface EventAppParts {
  /** Body of `main` (result i32). */
  readonly main: string;
  /** Body of `dispatch(kind: i32, tag: i32)`; locals `$kind` and `$tag`. Omitted: a dispatch that does nothing. */
  readonly dispatch?: string;
  /** Whether `dispatch` and `serve` are exported (default both, as every runtime app does). */
  readonly exportDispatch?: boolean;
  readonly exportServe?: boolean;
  /** More module fields: globals, functions, a start function. */
  readonly extra?: string;
  /** Replaces the conformant `dispatch` function (and its export) wholesale. */
  readonly dispatchFunction?: string;
}

/** An event app: a conformant module (memory, allocator, main) with the event imports, print helpers, strings and the world's other exports. */
export function eventApp(build: (strings: Strings) => EventAppParts): string {
  const strings = new Strings();
  const parts = build(strings);
  const dispatchExport = parts.exportDispatch === false ? "" : `(export "dispatch")`;
  const dispatch = parts.dispatchFunction ?? `(func $dispatch ${dispatchExport} (param $kind i32) (param $tag i32)
    ${parts.dispatch ?? ""})`;
  return conformantModule(EVENT_IMPORTS, parts.main, `${PRINT_HELPERS}
  ${parts.extra ?? ""}
  ${dispatch}
  ${parts.exportServe === false ? "" : SERVE_LOOP}
  ${strings.data}`);
}

/** Milliseconds as the nanoseconds `timers.start` takes, as a WAT i64 constant. */
export function milliseconds(value: number): string {
  return `(i64.const ${BigInt(value) * 1_000_000n})`;
}

/** `timers.start(delay, period, tag)`, its handle dropped: for fixtures that never cancel. */
export function startTimer(delayMilliseconds: number, periodMilliseconds: number, tag: number): string {
  return `(drop (call $timerStart ${milliseconds(delayMilliseconds)} ${milliseconds(periodMilliseconds)} (i32.const ${tag})))`;
}

/** The manifest of an event fixture: console and clock, and a fuel budget small enough that runaways end fast. */
export function eventManifest(name: string, limits: Manifest["limits"] = {}): Manifest {
  return { name, capabilities: ["console", "clock"], entryPoints: { main: { mode: "callers" } }, limits: { fuelPerEntry: 1_000_000, ...limits } };
}

// --- fixtures shared by the suites -----------------------------------------------------------

/** Prints `main ran` and returns 0: whether main ran shows in the output. */
export const ANNOUNCING_APP = eventApp((text) => ({ main: `${text.print("main ran\n")} (i32.const 0)` }));

/** A periodic timer of `periodMilliseconds`; each event prints `tick`; it never ends by itself. */
export function periodicApp(periodMilliseconds: number): string {
  return eventApp((text) => ({
    main: `${startTimer(periodMilliseconds, periodMilliseconds, 1)} ${text.print("armed\n")} (i32.const 0)`,
    dispatch: text.print("tick\n"),
  }));
}

/** A one-shot timer; its event prints `fired`; main returns `mainCode`, so that is the exit code. */
export function oneShotApp(mainCode: number): string {
  return eventApp((text) => ({
    main: `${startTimer(5, 0, 1)} ${text.print("armed\n")} (i32.const ${mainCode})`,
    dispatch: text.print("fired\n"),
  }));
}

/** A one-shot timer whose handler prints `handler` and then runs `handler` (a fault, a loop): main returns 0. */
export function handlerApp(handler: (text: Strings) => string): string {
  return eventApp((text) => ({ main: `${startTimer(1, 0, 1)} (i32.const 0)`, dispatch: `${text.print("handler\n")} ${handler(text)}` }));
}
