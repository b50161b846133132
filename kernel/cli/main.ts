#!/usr/bin/env node
// `singlet`: a thin command-line wrapper over the kernel library. Only this file exits.
import { KernelError } from "../errors.js";
import { UsageError } from "./arguments.js";
import type { CommandResult } from "./commands/run.js";

/** Exit code for usage and I/O errors, as `singlet verify` documents. */
const USAGE_EXIT_CODE = 2;

const USAGE = `usage: singlet <command> …
  run <app|file.wasm> [--user] [--stats] [-- args…]   run one app; exits with its exit code (70 on a fault)
      [--no-cache]                                    verify from scratch (SINGLET_CACHE=off: always)
      [--principal name] [--policy file]              multi-module apps: who runs it (system policy decides kernel-mode trust)
  verify <file.wasm> [--json]                         0 accepted for kernel mode, 1 rejected, 2 usage or I/O error
  boot [--init file.json]                             boot the kernel and run the init manifest's apps
`;

// Each command's modules load only when that command runs: `singlet run` never reads the
// verifier's log formatter or the init manifest's parser, and start-up is a benchmark row.
const commands: Record<string, (argv: readonly string[]) => Promise<CommandResult>> = {
  run: async (argv) => (await import("./commands/run.js")).runCommand(argv),
  verify: async (argv) => (await import("./commands/verify.js")).verifyCommand(argv),
  boot: async (argv) => (await import("./commands/boot.js")).bootCommand(argv),
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    process.stderr.write(name === undefined || name === "help" || name === "--help" ? USAGE : `singlet: unknown command '${name}'\n${USAGE}`);
    return name === "help" || name === "--help" ? 0 : USAGE_EXIT_CODE;
  }
  try {
    return (await command(rest)).exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`singlet: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    if (error instanceof KernelError) {
      const reasons = (error as { reasons?: readonly string[] }).reasons ?? [];
      process.stderr.write(`singlet: ${error.message}\n${reasons.map((reason) => `  ${reason}\n`).join("")}`);
      return USAGE_EXIT_CODE;
    }
    throw error;
  }
}

// A reader that has gone away (`singlet … 2>&- | head -1`) must not end the kernel with an uncaught
// EPIPE. The console device notices such a failure where output matters (hal/node/console.ts); the
// CLI's own reports to a closed stream are simply lost, and the exit code still says how it went.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
