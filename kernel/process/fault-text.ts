// Text a process supplies for its own fault report (an abort message, a file name), bounded and
// kept on one line: a report is one line a person reads, and a hostile app must not turn it into
// a megabyte or forge further lines of a log.
import { MAX_FAULT_MESSAGE_UNITS } from "../params.js";

/** Control characters, which would break a report's single line or a terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

function escapeControl(character: string): string {
  switch (character) {
    case "\n": return "\\n";
    case "\r": return "\\r";
    case "\t": return "\\t";
    default: return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
  }
}

/** The marker that ends shortened text, naming the length of the text as the process gave it. */
export function truncationMarker(totalUnits: number): string {
  return ` … [truncated from ${totalUnits} units]`;
}

/**
 * `text` fit for a fault report: control characters escaped, and at most `limit` UTF-16 units
 * (MAX_FAULT_MESSAGE_UNITS by default) in all, the marker naming the original length included. A
 * cut never splits a surrogate pair. Text within the limit and free of control characters comes
 * back unchanged, so bounding twice changes nothing. The one function every place that builds a
 * report from process-supplied text calls.
 */
export function boundedFaultText(text: string, limit: number = MAX_FAULT_MESSAGE_UNITS): string {
  // Escape only what can be kept: a 1 MiB message is cut before any work in proportion to it.
  const escaped = (text.length > limit ? text.slice(0, limit) : text).replace(CONTROL_CHARACTERS, escapeControl);
  if (escaped.length <= limit && text.length <= limit) return escaped;
  const marker = truncationMarker(text.length);
  let end = Math.max(0, limit - marker.length);
  const last = escaped.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return escaped.slice(0, end) + marker;
}
