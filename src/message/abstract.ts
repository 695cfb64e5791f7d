// The log abstract procmail writes per delivery (mailfold.c logabstract):
//
//   From sender  date                          (only when the message starts with "From ")
//    Subject: text                             (first "Subject:" line of the header, any case)
//     Folder: name<TABs to column 72>   size   (size right-aligned in 7 columns)
//
// Verified details (cases 020/111/172 and own oracle runs):
// * The Subject line is its first physical line (a folded rest is not shown), cut to 78
//   bytes, cut at a NUL, and TAB, CR, LF, VT, FF each become one space. A Subject line at
//   the very start of a message without From_ line makes procmail read memory before its
//   buffer; in practice it logs an empty " " line, which is what we print.
// * The folder name is cut to 60 bytes and gets the same blank replacement; at least one
//   TAB always follows it.

import { ABSTRACT_FOLDER_COLUMN } from '../limits.ts';
import { isFromLineAt } from './from-line.ts';

const NL = 0x0a;
const SUBJECT = 'subject:';
const MAX_SUBJECT_SHOWN = 78;
const FOLDER_LABEL = '  Folder: ';
const TAB_WIDTH = 8;
/** procmail's MAXfoldlen: LENoffset - strlen("  Folder: ") - 1, and strlcpy keeps one less. */
const MAX_FOLDER_SHOWN = ABSTRACT_FOLDER_COLUMN - FOLDER_LABEL.length - 2;

/** procmail's detab(): each of TAB LF VT FF CR becomes a space. */
function blankSpecials(text: string): string {
  return text.replace(/[\t\n\v\f\r]/g, ' ');
}

function upToNul(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

function isSubjectAt(head: Buffer, at: number): boolean {
  if (head.length - at < SUBJECT.length) return false;
  for (let i = 0; i < SUBJECT.length; i++) {
    let c = head[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== SUBJECT.charCodeAt(i)) return false;
  }
  return true;
}

/** Index of the first "Subject:" at a line start in head[from..], or -1. */
function findSubject(head: Buffer, from: number): number {
  for (let line = from; line < head.length; ) {
    if (isSubjectAt(head, line)) return line;
    const nl = head.indexOf(NL, line);
    if (nl < 0) break;
    line = nl + 1;
  }
  return -1;
}

/** The From_ and Subject lines of the abstract ("" when there are none), each ending in "\n". */
export function abstractHeaderLines(head: Buffer): string {
  let out = '';
  let searchFrom = 0;
  if (isFromLineAt(head, 0)) {
    // procmail finds the line end with strchr: a NUL first means "no newline", and then the
    // Subject search starts at the end of the header (finds nothing).
    const nl = head.indexOf(NL);
    const nul = head.indexOf(0);
    const end = nl < 0 || (nul >= 0 && nul < nl) ? head.length : nl;
    out += `${upToNul(head.toString('latin1', 0, end))}\n`;
    searchFrom = end;
  }
  const subject = findSubject(head, searchFrom);
  if (subject === 0) {
    out += ' \n'; // procmail reads before its buffer here; observed output is empty
  } else if (subject > 0) {
    const nl = head.indexOf(NL, subject);
    const lineEnd = nl < 0 ? head.length : nl;
    const shown = head.toString('latin1', subject, Math.min(lineEnd, subject + MAX_SUBJECT_SHOWN));
    out += ` ${blankSpecials(upToNul(shown))}\n`;
  }
  return out;
}

/** The `  Folder:` line: folder (latin1 string) padded with TABs, size right-aligned. */
export function abstractFolderLine(folder: string, bytes: number): string {
  const shown = blankSpecials(upToNul(folder).slice(0, MAX_FOLDER_SHOWN));
  let column = shown.length + FOLDER_LABEL.length;
  column -= column % TAB_WIDTH;
  let tabs = '';
  do tabs += '\t';
  while ((column += TAB_WIDTH) < ABSTRACT_FOLDER_COLUMN);
  return `${FOLDER_LABEL}${shown}${tabs}${String(bytes).padStart(7, ' ')}\n`;
}

/**
 * The whole abstract for one delivery, as a latin1 string (one char per byte) ready to be
 * appended to the log. `head` is the message header as it is at that moment.
 */
export function logAbstract(head: Buffer, folder: string, bytes: number): string {
  return abstractHeaderLines(head) + abstractFolderLine(folder, bytes);
}
