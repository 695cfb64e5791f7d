// src/message: reading a message the way procmail 3.22 does, and the facts about it that the
// engine, the folder writers and the log need. Bytes stay Buffers; text for regexes is a
// latin1 string (one char per byte). Buffers are never modified in place: every new message
// state is a new Buffer (the area caches rely on that).
//
// Reading (read.ts)
//   readMessage(raw, opts) -> Message         stdin -> { head, body, contentLength, quoteFromBody, contentLengthAt }
//       -f/-r (fromSender), -f - , -o (override), -Y (berkeley), -d (generateFrom = invoker),
//       invoker / privileged for the fake ">From" alert of the setuid procmail. The input is
//       otherwise kept byte for byte: no newline is added at the end, an empty input stays
//       empty, CRLF stays (a CRLF message has no "\n\n", so it is all header), NULs stay.
//   splitMail(buf) -> MailParts                header = up to and including the first empty line
//       (a NUL before it, or no empty line at all: everything is header).
//   rereadMessage(msg, 'whole'|'head'|'body', output, berkeley) -> Message   after an `f` filter
//   messageSize(parts)                         for `< n` / `> n` (the bytes as read, From_ included)
//
// Areas (areas.ts) — cached per Buffer
//   headerArea(head), bodyArea(body), wholeArea(head, body) (HB: one contiguous text),
//   areaText(head, body, 'H'|'B'|'HB'), joinedHead(head) (folded newlines -> spaces)
//
// Feeding programs (feed.ts)
//   dumpData(chunks, raw) -> { chunks, reported }   procmail's trailing-newline rule (and the
//       lost last byte of raw/Maildir writes of data not ending in "\n")
//   conditionInput(head, body, area)                 stdin of a `?` condition (joined header)
//
// Writing helpers
//   mboxQuoteOffsets(msg, 'whole'|'head'|'body')    where mbox writing inserts '>' (mbox-quote.ts)
//   fromBlockLength(buf)                             From_ line + following '>' lines that Maildir
//                                                    and forwards leave out (from-line.ts)
//
// Log (abstract.ts)
//   logAbstract(head, folder, bytes) -> string       From_ line, " Subject:", "  Folder:" line
//   abstractHeaderLines(head), abstractFolderLine(folder, bytes)
//
// Misc
//   getField(head, name) / getFields(head, name)     raw field values (fields.ts)
//   ctime(date)                                      "Www Mmm dd hh:mm:ss yyyy" (ctime.ts)

export { readMessage, rereadMessage, splitMail, messageSize } from './read.ts';
export type { ReadOptions, Message, FilteredPart } from './read.ts';
export { headerArea, bodyArea, wholeArea, areaText, joinedHead } from './areas.ts';
export type { Area } from './areas.ts';
export { dumpData, conditionInput } from './feed.ts';
export type { Dump } from './feed.ts';
export { mboxQuoteOffsets } from './mbox-quote.ts';
export type { WrittenPart } from './mbox-quote.ts';
export { fromBlockLength, findTimestamp, isFromLineAt, prepareFromLine, TRUSTED_IDS, FROM_LINE_PEEK } from './from-line.ts';
export type { FromOptions } from './from-line.ts';
export { logAbstract, abstractHeaderLines, abstractFolderLine } from './abstract.ts';
export { getField, getFields } from './fields.ts';
export { ctime } from './ctime.ts';
export { findContentLength, rewriteContentLength } from './content-length.ts';
export { scanHeader, realStart } from './header-scan.ts';
