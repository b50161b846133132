// `--dir HOST::GUEST[::rw]`: a host directory and where it appears in the guest namespace,
// read-only unless the spec ends in `::rw`.
import { InvalidArgumentError } from "../errors.js";
import { guestComponents, guestPathText } from "./guest-path.js";

export interface MountSpec {
  readonly hostDirectory: string;
  /** Normalized, absolute, never the root (the in-memory tree is the root). */
  readonly guestPath: string;
  readonly writable: boolean;
}

export const MOUNT_SPEC_USAGE = "--dir HOST::GUEST[::rw] (GUEST an absolute path other than /; read-only unless ::rw)";

/** Parses one spec; a malformed one throws InvalidArgumentError naming the usage. */
export function parseMountSpec(spec: string): MountSpec {
  const parts = spec.split("::");
  const [hostDirectory, guest, mode] = parts;
  const problem = parts.length < 2 || parts.length > 3 ? "expected HOST::GUEST or HOST::GUEST::rw"
    : !hostDirectory ? "the host directory is empty"
    : !guest?.startsWith("/") ? "the guest path must be absolute"
    : mode !== undefined && mode !== "rw" ? `unknown mode '${mode}' (only rw)`
    : guest.split("/").some((name) => name === "." || name === "..") ? "the guest path may not contain . or .."
    : undefined;
  if (problem) throw new InvalidArgumentError(`bad mount '${spec}': ${problem}; usage: ${MOUNT_SPEC_USAGE}`);
  const components = guestComponents(guest!, "mount");
  if (components.length === 0) throw new InvalidArgumentError(`bad mount '${spec}': the root is the in-memory tree; usage: ${MOUNT_SPEC_USAGE}`);
  return { hostDirectory: hostDirectory!, guestPath: guestPathText(components), writable: mode === "rw" };
}
