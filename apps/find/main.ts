// find: `find DIR [-name GLOB] [-type f|d|l]` walks DIR like GNU find (no links followed, DIR
// itself included unless its name ends with a slash; each directory listed before what is in
// it, entries in the directory's own order) and prints each path that matches. The walk keeps
// its own stack, so it can stop where the console is full (the kernel domain answers wouldBlock)
// and go on when deferred; in a user domain writes wait instead.
import { Console, Directory, errorMessage, FILE_TYPE_DIRECTORY, FILE_TYPE_FILE, FILE_TYPE_SYMBOLIC_LINK, Files, Output, Process, Scheduler } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";
import { globMatches } from "./glob";

const USAGE = "usage: find DIR [-name GLOB] [-type f|d|l]";

/** The directories being walked, innermost last, and their paths: two arrays, no object a directory. */
const directories = new Array<Directory>();
const paths = new Array<string>();
let namePattern: string | null = null;
/** The type -type asks for; 0: any. */
let wantedType: u32 = 0;
let exitCode: i32 = 0;
/** The console refused output: flush before walking on. */
let outputFull = false;

function report(path: string, code: i32): void {
  Console.error("find: '" + path + "': " + errorMessage(code));
  exitCode = 1;
}

/** `name` is asked for only when -name needs it: a walk without one never decodes a name on its own. */
function visit(path: string, name: Directory | null, type: u32): void {
  const nameMatches = namePattern === null || globMatches(namePattern!, name === null ? baseName(path) : name.name);
  if (nameMatches && (wantedType == 0 || wantedType == type)) {
    if (!Output.line(path)) outputFull = true;
  }
  if (type != FILE_TYPE_DIRECTORY) return;
  const directory = Files.openDirectory(path);
  if (directory === null) {
    report(path, Files.lastError);
    return;
  }
  directories.push(directory!);
  paths.push(path);
}

/** One entry of the innermost directory, or the end of it. */
function step(): void {
  const directory = directories[directories.length - 1];
  const path = paths[paths.length - 1];
  Files.lastError = 0;
  if (!directory.next()) {
    if (Files.lastError != 0) report(path, Files.lastError);
    directory.close();
    directories.pop();
    paths.pop();
    return;
  }
  visit(directory.pathIn(path), directory, directory.type);
}

/** Walks until done (true) or until the console is full (false). */
function walk(): bool {
  while (directories.length > 0) {
    if (outputFull) {
      if (!Output.flush()) return false;
      outputFull = false;
    }
    step();
  }
  return Output.flush();
}

function resume(): void {
  if (walk()) Process.exit(exitCode);
  else Scheduler.defer(resume);
}

function baseName(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) == 47) end--;
  const trimmed = path.substring(0, end);
  if (trimmed == "/") return "/";
  const slash = trimmed.lastIndexOf("/");
  return slash < 0 ? trimmed : trimmed.substring(slash + 1);
}

export function main(): i32 {
  const args = Process.args();
  if (args.length == 0) {
    Console.error(USAGE);
    return 2;
  }
  const start = args[0];
  for (let index = 1; index < args.length; index += 2) {
    if (index + 1 >= args.length) {
      Console.error("find: missing argument to '" + args[index] + "'");
      return 2;
    }
    const value = args[index + 1];
    if (args[index] == "-name") {
      namePattern = value;
    } else if (args[index] == "-type" && (value == "f" || value == "d" || value == "l")) {
      wantedType = value == "f" ? FILE_TYPE_FILE : value == "d" ? FILE_TYPE_DIRECTORY : FILE_TYPE_SYMBOLIC_LINK;
    } else {
      Console.error("find: unknown predicate '" + args[index] + " " + value + "'; " + USAGE);
      return 2;
    }
  }
  // As GNU find does by default (-P): a starting link is looked at itself and not gone into,
  // unless its name ends with a slash, which makes the host's own resolution follow it.
  const status = start.endsWith("/") ? Files.stat(start) : Files.statLink(start);
  if (status < 0) {
    report(start, <i32>status);
    return exitCode;
  }
  visit(start, null, Files.typeOf(status));
  if (walk()) return exitCode;
  Scheduler.defer(resume);
  return exitCode;
}
