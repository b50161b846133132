// A process's arguments, checked against the kernel's limits when the process is created: they
// live as long as the process and are copied into its memory on every `process.arg-get`.
import { InvalidArgumentError } from "../errors.js";
import { MAX_ARGUMENT_TEXT_UNITS, MAX_ARGUMENTS } from "../params.js";

/** Thrown when a process would be created with more arguments, or more argument text, than the limits allow. */
export class ArgumentLimitError extends InvalidArgumentError {
  constructor(readonly limitName: "MAX_ARGUMENTS" | "MAX_ARGUMENT_TEXT_UNITS", readonly actual: number, readonly limit: number) {
    super(limitName === "MAX_ARGUMENTS"
      ? `${actual} arguments (limit ${MAX_ARGUMENTS}, MAX_ARGUMENTS)`
      : `arguments of ${actual} UTF-16 units in all (limit ${MAX_ARGUMENT_TEXT_UNITS}, MAX_ARGUMENT_TEXT_UNITS)`);
  }
}

/** A frozen copy of `args` within the limits; the caller's array can no longer change what the process sees. */
export function checkedArguments(args: readonly string[]): readonly string[] {
  if (args.length > MAX_ARGUMENTS) throw new ArgumentLimitError("MAX_ARGUMENTS", args.length, MAX_ARGUMENTS);
  const copy: string[] = [];
  let units = 0;
  for (const argument of args) {
    if (typeof argument !== "string") throw new InvalidArgumentError(`argument ${copy.length} is a ${typeof argument}, not a string`);
    units += argument.length;
    if (units > MAX_ARGUMENT_TEXT_UNITS) {
      throw new ArgumentLimitError("MAX_ARGUMENT_TEXT_UNITS", args.reduce((sum, item) => sum + String(item).length, 0), MAX_ARGUMENT_TEXT_UNITS);
    }
    copy.push(argument);
  }
  return Object.freeze(copy);
}
