// The files interface's numbers: open flags, entry types and seek origins (docs/abi/files.md).

/** `files.open` flags; bits not named here are refused with invalidArgument. */
export const FileOpenFlag = {
  read: 1,
  write: 2,
  /** Create the file when it does not exist (needs write). */
  create: 4,
  /** Cut the file to 0 bytes on open (needs write). */
  truncate: 8,
  /** Every write goes to the end of the file (needs write). */
  append: 16,
  /** With create: fail with alreadyExists when the file exists. */
  exclusive: 32,
  /** Open a directory to list it with `files.read-directory`; notDirectory for anything else. */
  directory: 64,
} as const;

export const ALL_FILE_OPEN_FLAGS = 127;

/** What a path names, in `files.stat`'s high bits and each `files.read-directory` entry. */
export const FileType = {
  other: 0,
  file: 1,
  directory: 2,
  symbolicLink: 3,
} as const;

/** `files.seek` origins, as POSIX's SEEK_SET, SEEK_CUR and SEEK_END. */
export const SeekOrigin = {
  start: 0,
  current: 1,
  end: 2,
} as const;

/** `files.stat` packs the type above the size: sizes stay below 2^48 bytes. */
export const STAT_TYPE_SHIFT = 48n;

/** One read-directory entry's fixed part: type (u8) and name length (u16, little-endian). */
export const DIRECTORY_ENTRY_HEADER_BYTES = 3;
