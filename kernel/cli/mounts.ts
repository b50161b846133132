// `--dir HOST::GUEST[::rw]` on the command line: parsed into mount specs, and a kernel booted
// with them; a malformed spec or a host directory the host refuses is a usage error.
import { bootKernel, type BootOptions } from "../boot.js";
import { KernelError } from "../errors.js";
import { parseMountSpec, type MountSpec } from "../files/index.js";
import type { Kernel } from "../kernel.js";
import { UsageError, type ParsedArguments } from "./arguments.js";

export const DIR_OPTION = "dir";

export function mountsFromArguments(parsed: ParsedArguments): MountSpec[] {
  return (parsed.repeated.get(DIR_OPTION) ?? []).map((spec) => {
    try {
      return parseMountSpec(spec);
    } catch (error) {
      if (error instanceof KernelError) throw new UsageError(error.message);
      throw error;
    }
  });
}

/** Boots with the mounts; a host directory that cannot be mounted is a usage error naming it. */
export function bootWithMounts(options: BootOptions): Kernel {
  try {
    return bootKernel(options);
  } catch (error) {
    if (error instanceof KernelError) throw new UsageError(`cannot mount: ${error.message}`);
    throw error;
  }
}
