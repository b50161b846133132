// Directory listings for host mounts, straight into the bytes of an exchange-heap block: the
// kernel's one hot host call on a walk (apps/find lists every directory of a tree once). Written
// for Linux: the directory is opened beneath the mount's root descriptor by openat2 with
// RESOLVE_BENEATH, so the host kernel itself refuses any step out of the mount (`..` above the
// root, an absolute symbolic link, a link leading out) with EXDEV, with no window between a check
// and the open; getdents64 then reads the entries, which are written in read-directory's format
// (runtime/abi: [type u8][name length u16 little-endian][name UTF-8]) with no string made for any
// of them. Measured against node:fs's readdirSync with file types over the find bench's tree
// (2,353 directories): about 16 ms against 20 ms, the saving being glibc's extra fstat per
// directory, the sort, and a JS object per entry.
#define _GNU_SOURCE
#include <node_api.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// Results that are not a byte count: the listing is longer than the bytes given (the caller takes
// the long way), or this host kernel has no openat2 (the caller stops asking). Both lie below every
// negated errno, which the wrapper turns into its name.
#define LISTING_DOES_NOT_FIT (-65536)
#define LISTING_UNSUPPORTED (-65537)

// The ABI's FileType (runtime/abi/files.ts): 0 other, 1 file, 2 directory, 3 symbolic link.
enum { TYPE_OTHER = 0, TYPE_FILE = 1, TYPE_DIRECTORY = 2, TYPE_SYMBOLIC_LINK = 3 };

// The entries getdents64 hands over at once: a few hundred names a call.
#define DIRECTORY_READ_BYTES 16384
// PATH_MAX on Linux: a relative path longer than this cannot be opened anyway.
#define MAX_RELATIVE_PATH_BYTES 4096

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static int type_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return TYPE_FILE;
  if (S_ISDIR(mode)) return TYPE_DIRECTORY;
  if (S_ISLNK(mode)) return TYPE_SYMBOLIC_LINK;
  return TYPE_OTHER;
}

static int type_of_entry(int directory, const struct linux_dirent64* entry) {
  switch (entry->d_type) {
    case DT_REG: return TYPE_FILE;
    case DT_DIR: return TYPE_DIRECTORY;
    case DT_LNK: return TYPE_SYMBOLIC_LINK;
    case DT_UNKNOWN: {
      // Some filesystems leave the type to a stat of the entry itself (a link not followed).
      struct stat status;
      if (fstatat(directory, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) return TYPE_OTHER;
      return type_of_mode(status.st_mode);
    }
    default: return TYPE_OTHER;
  }
}

static int is_dot_or_dot_dot(const char* name) {
  return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
}

// Writes every entry of the open directory into `into`: the bytes written, LISTING_DOES_NOT_FIT,
// or a negated errno.
static int32_t write_entries(int directory, unsigned char* into, size_t room) {
  char entries[DIRECTORY_READ_BYTES];
  size_t written = 0;
  for (;;) {
    long count = syscall(SYS_getdents64, directory, entries, sizeof entries);
    if (count < 0) return -errno;
    if (count == 0) return (int32_t)written;
    for (long at = 0; at < count;) {
      const struct linux_dirent64* entry = (const struct linux_dirent64*)(entries + at);
      at += entry->d_reclen;
      if (is_dot_or_dot_dot(entry->d_name)) continue;
      size_t length = strlen(entry->d_name);
      if (length > 0xffff || written + 3 + length > room) return LISTING_DOES_NOT_FIT;
      into[written] = (unsigned char)type_of_entry(directory, entry);
      into[written + 1] = (unsigned char)(length & 0xff);
      into[written + 2] = (unsigned char)(length >> 8);
      memcpy(into + written + 3, entry->d_name, length);
      written += 3 + length;
    }
  }
}

// listBeneath(root: number, relativePath: string, into: Uint8Array): number
static napi_value list_beneath(napi_env env, napi_callback_info info) {
  size_t argument_count = 3;
  napi_value arguments[3];
  napi_value result;
  if (napi_get_cb_info(env, info, &argument_count, arguments, NULL, NULL) != napi_ok || argument_count != 3) {
    napi_throw_type_error(env, NULL, "listBeneath(root, relativePath, into)");
    return NULL;
  }
  int32_t root;
  if (napi_get_value_int32(env, arguments[0], &root) != napi_ok) {
    napi_throw_type_error(env, NULL, "listBeneath: root must be a descriptor");
    return NULL;
  }
  char path[MAX_RELATIVE_PATH_BYTES + 1];
  size_t path_bytes;
  if (napi_get_value_string_utf8(env, arguments[1], path, sizeof path, &path_bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "listBeneath: relativePath must be a string");
    return NULL;
  }
  napi_typedarray_type array_type;
  size_t room;
  void* data;
  if (napi_get_typedarray_info(env, arguments[2], &array_type, &room, &data, NULL, NULL) != napi_ok || array_type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "listBeneath: into must be a Uint8Array");
    return NULL;
  }
  int32_t outcome;
  if (path_bytes >= MAX_RELATIVE_PATH_BYTES || strlen(path) != path_bytes) {
    // Cut short by the buffer, or holding a NUL the guest path check should have refused.
    outcome = path_bytes >= MAX_RELATIVE_PATH_BYTES ? -ENAMETOOLONG : -EINVAL;
  } else {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    int directory = (int)syscall(SYS_openat2, root, path_bytes == 0 ? "." : path, &how, sizeof how);
    if (directory < 0) {
      outcome = errno == ENOSYS ? LISTING_UNSUPPORTED : -errno;
    } else {
      outcome = write_entries(directory, (unsigned char*)data, room);
      close(directory);
    }
  }
  napi_create_int32(env, outcome, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value function;
  napi_create_function(env, "listBeneath", NAPI_AUTO_LENGTH, list_beneath, NULL, &function);
  napi_set_named_property(env, exports, "listBeneath", function);
  return exports;
}
