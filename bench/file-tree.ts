// A generated directory tree for the find experiment and its conformance test: deterministic
// (the same count gives the same tree), about `entries` entries, directories nested a few deep,
// names with a space and a non-ASCII letter among them, and one symbolic link per directory level.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Entries per directory: a directory of this many is wide enough to need several read-directory blocks at the top. */
const FILES_PER_DIRECTORY = 12;
const DIRECTORIES_PER_DIRECTORY = 4;
const NAMES = ["file", "notes", "data file", "résumé"];
const EXTENSIONS = [".txt", ".md", ".log", ""];

export interface GeneratedTree {
  readonly entries: number;
  readonly files: number;
  readonly directories: number;
}

/** Writes about `entries` entries under `root` (which must exist); a sink for the in-memory tree may stand in for the host. */
export function generateTree(root: string, entries: number, sink: TreeSink = hostSink): GeneratedTree {
  const count = { entries: 0, files: 0, directories: 0 };
  const pending: string[] = [root];
  while (pending.length > 0 && count.entries < entries) {
    const directory = pending.shift()!;
    for (let index = 0; index < FILES_PER_DIRECTORY && count.entries < entries; index++) {
      const name = `${NAMES[index % NAMES.length]}-${index}${EXTENSIONS[(index >> 2) % EXTENSIONS.length]}`;
      sink.file(join(directory, name), `${name}\n`);
      count.entries++;
      count.files++;
    }
    for (let index = 0; index < DIRECTORIES_PER_DIRECTORY && count.entries < entries; index++) {
      const child = join(directory, `dir-${index}`);
      sink.directory(child);
      pending.push(child);
      count.entries++;
      count.directories++;
    }
    if (count.entries < entries && sink.link) {
      sink.link(join(directory, "link"), `${NAMES[0]}-0${EXTENSIONS[0]}`);
      count.entries++;
    }
  }
  return count;
}

export interface TreeSink {
  file(path: string, text: string): void;
  directory(path: string): void;
  /** Absent where the tree has no symbolic links (the in-memory tree). */
  link?(path: string, target: string): void;
}

const hostSink: TreeSink = {
  file: (path, text) => writeFileSync(path, text),
  directory: (path) => mkdirSync(path),
  link: (path, target) => symlinkSync(target, path),
};
