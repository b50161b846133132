// The file namespace: the in-memory tree, host mounts, and open files as capabilities.
export { FileNamespace } from "./namespace.js";
export { MemoryTree } from "./memory-tree.js";
export { parseMountSpec, MOUNT_SPEC_USAGE, type MountSpec } from "./mount-spec.js";
export { OpenFile, insertOpenFile, openFileOf, openFileCount } from "./open-file.js";
export { DEMO_TREE, seedDemoTree } from "./demo-tree.js";
export type { DirectoryListing, FileStatus, OpenFlags, OpenedNode } from "./file-tree.js";
