// Command-line parsing for `singlet`: flags before `--`, app arguments after it.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArguments {
  readonly positional: string[];
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
  /** Options that may be given more than once (`--dir`), every value in order. */
  readonly repeated: Map<string, string[]>;
  /** Everything after `--`, passed to the app untouched. */
  readonly passThrough: string[];
}

export function parseArguments(
  argv: readonly string[], knownFlags: readonly string[], knownOptions: readonly string[] = [], repeatableOptions: readonly string[] = [],
): ParsedArguments {
  const positional: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const separator = argv.indexOf("--");
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  for (let index = 0; index < own.length; index++) {
    const argument = own[index]!;
    if (argument.startsWith("--")) {
      const name = argument.slice(2);
      if (repeatableOptions.includes(name)) {
        const value = own[++index];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        repeated.set(name, [...(repeated.get(name) ?? []), value]);
      } else if (knownOptions.includes(name)) {
        const value = own[++index];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        options.set(name, value);
      } else if (knownFlags.includes(name)) {
        flags.add(name);
      } else {
        throw new UsageError(`unknown option ${argument}`);
      }
    } else {
      positional.push(argument);
    }
  }
  return { positional, flags, options, repeated, passThrough: separator >= 0 ? argv.slice(separator + 1) : [] };
}
