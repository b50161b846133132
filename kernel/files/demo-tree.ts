// What `singlet boot` puts in the in-memory tree so the demo's find, ls and cat have something to
// show (docs/files-and-sockets.md lists it): a handful of directories and short text files.
import { FileOpenFlag } from "../../runtime/abi/index.js";
import type { FileNamespace } from "./namespace.js";
import type { OpenFlags } from "./file-tree.js";

export const DEMO_TREE: ReadonlyMap<string, string | null> = new Map([
  ["/etc", null],
  ["/etc/motd", "Welcome to Singlet: this tree lives in kernel memory.\n"],
  ["/etc/hosts", "127.0.0.1 localhost\n"],
  ["/home", null],
  ["/home/ada", null],
  ["/home/ada/notes.txt", "engines compute; they do not think\n"],
  ["/home/grace", null],
  ["/home/grace/todo.txt", "find the moth\n"],
  ["/tmp", null],
]);

const CREATE: OpenFlags = Object.fromEntries(Object.entries(FileOpenFlag).map(([name]) => [name, name === "write" || name === "create" || name === "truncate"])) as OpenFlags;

/** Fills the namespace's in-memory tree with DEMO_TREE (directories first, as listed). */
export function seedDemoTree(namespace: FileNamespace): void {
  for (const [path, text] of DEMO_TREE) {
    if (text === null) {
      namespace.mkdir(path);
      continue;
    }
    const { node } = namespace.open(path, CREATE);
    node.write(new TextEncoder().encode(text), 0);
    node.close();
  }
}
