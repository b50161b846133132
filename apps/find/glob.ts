// Shell patterns as find's -name reads them (fnmatch without flags): `*` any run, `?` any one
// character, `[abc]`, `[a-z]` and `[!x]` one of a set, `\` takes the next character literally.

export function globMatches(pattern: string, name: string): bool {
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(pattern: string, p: i32, name: string, n: i32): bool {
  while (p < pattern.length) {
    const code = pattern.charCodeAt(p);
    if (code == 42 /* * */) {
      // Runs of stars are one star; then try every split of the rest.
      while (p < pattern.length && pattern.charCodeAt(p) == 42) p++;
      if (p == pattern.length) return true;
      for (let start = n; start <= name.length; start++) {
        if (matchFrom(pattern, p, name, start)) return true;
      }
      return false;
    }
    if (n >= name.length) return false;
    if (code == 63 /* ? */) {
      p++;
      n++;
      continue;
    }
    if (code == 91 /* [ */) {
      const end = setEnd(pattern, p);
      if (end > 0) {
        if (!inSet(pattern, p + 1, end, name.charCodeAt(n))) return false;
        p = end + 1;
        n++;
        continue;
      }
    }
    let literal = code;
    if (code == 92 /* \ */ && p + 1 < pattern.length) literal = pattern.charCodeAt(++p);
    if (literal != name.charCodeAt(n)) return false;
    p++;
    n++;
  }
  return n == name.length;
}

/** Index of the `]` closing the set opened at `open`, or -1 when none does (then `[` is literal). */
function setEnd(pattern: string, open: i32): i32 {
  let index = open + 1;
  if (index < pattern.length && (pattern.charCodeAt(index) == 33 || pattern.charCodeAt(index) == 94)) index++;
  // A `]` first in the set is a member, not its end.
  if (index < pattern.length && pattern.charCodeAt(index) == 93) index++;
  while (index < pattern.length && pattern.charCodeAt(index) != 93) index++;
  return index < pattern.length ? index : -1;
}

function inSet(pattern: string, start: i32, end: i32, code: i32): bool {
  let index = start;
  let negated = false;
  if (pattern.charCodeAt(index) == 33 || pattern.charCodeAt(index) == 94) {
    negated = true;
    index++;
  }
  let found = false;
  while (index < end) {
    const low = pattern.charCodeAt(index);
    {
      if (index + 2 < end && pattern.charCodeAt(index + 1) == 45 /* - */) {
        if (code >= low && code <= pattern.charCodeAt(index + 2)) found = true;
        index += 3;
      } else {
        if (code == low) found = true;
        index++;
      }
    }
  }
  return found != negated;
}
