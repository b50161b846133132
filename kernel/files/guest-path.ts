// Guest paths: what a process names, normalized before any mount is consulted. Every path is
// absolute in the guest namespace (a relative one is taken from the root: processes have no
// working directory), and `..` is resolved on the guest path, as Plan 9 does: at the root it
// stays at the root, so it can climb out of a mount only into the guest namespace, never into
// the host directory's parent.
import { InvalidArgumentError, NameTooLongError } from "../errors.js";
import { MAX_NAME_BYTES, MAX_PATH_BYTES } from "../params.js";

const encoder = new TextEncoder();
/** String.prototype.isWellFormed (ES2024, in Node 20), which the ES2022 library types lack. */
type WellFormedString = string & { isWellFormed(): boolean };
const SLASH = 47;

/** A name with nothing to resolve (not empty, `.` or `..`) and short enough whatever its encoding. */
function isPlainShortName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && name.length * 3 <= MAX_NAME_BYTES;
}

/** The path's components after `.`, `..` and repeated slashes are resolved; [] is the root. */
export function guestComponents(path: string, call: string): string[] {
  if (path.length === 0) throw new InvalidArgumentError(`${call}: an empty path names nothing`);
  // A string of n UTF-16 units is at most 3n UTF-8 bytes: encode only when it could be too long.
  if (path.length * 3 > MAX_PATH_BYTES && encoder.encode(path).byteLength > MAX_PATH_BYTES) {
    throw new NameTooLongError(`${call}: path of ${encoder.encode(path).byteLength} bytes (limit ${MAX_PATH_BYTES})`);
  }
  if (path.includes("\0")) throw new InvalidArgumentError(`${call}: a path may not contain a NUL character`);
  // A lone surrogate has no UTF-8 form: a host name would get U+FFFD in its place, so two guest
  // names would reach one host file, and a listing would show a name that opens nothing.
  if (!(path as WellFormedString).isWellFormed()) throw new InvalidArgumentError(`${call}: a path may not contain a lone surrogate`);
  // The common case, an absolute path of plain short names, is split as it is.
  if (path === "/") return [];
  if (path.charCodeAt(0) === SLASH) {
    const clean = path.slice(1).split("/");
    if (clean.every(isPlainShortName)) return clean;
  }
  const components: string[] = [];
  for (const name of path.split("/")) {
    if (name === "" || name === ".") continue;
    if (name === "..") {
      components.pop();
      continue;
    }
    if (name.length * 3 > MAX_NAME_BYTES && encoder.encode(name).byteLength > MAX_NAME_BYTES) {
      throw new NameTooLongError(`${call}: a name of ${encoder.encode(name).byteLength} bytes (limit ${MAX_NAME_BYTES})`);
    }
    components.push(name);
  }
  return components;
}

export function guestPathText(components: readonly string[]): string {
  return "/" + components.join("/");
}
