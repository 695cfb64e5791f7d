// src/message: reading a message the way procmail 3.22 does, and the facts about it that the
// engine, the folder writers and the log need. Bytes stay Buffers; text for regexes is a
// latin1 string (one char per byte). Buffers are never modified in place: every new message
// state is a new Buffer (the area caches rely on that). Strings handed in (sender, invoker,
// folder names) are latin1 byte strings too.
//
// Reading (read.ts)
//   readMessage(raw, opts) -> Message   stdin -> { head, body, contentLength, quoteFromBody, contentLengthAt }
//       opts: now, fromSender (-f/-r; "-" renews the date), override (-o), berkeley (-Y),
//       generateFrom (-d: the invoker's login name), invoker (outside -d, for `-f -`),
//       privileged (the setuid procmail's fake ">From <invoker>" alert; default: not in -d
//       mode unless the invoker is in TRUSTED_IDS).
//       Apart from the From_ line and the Content-Length value the input is kept byte for
//       byte: no newline is added at the end (the writers add the empty line), an empty
//       input stays empty, CR stays (a CRLF message has no "\n\n", so it is all header),
//       NULs stay (a NUL before the empty line makes everything header).
//   splitMail(buf) -> MailParts          header = up to and including the first empty line
//   rereadMessage(msg, 'whole'|'head'|'body', output, berkeley) -> Message   after an `f` filter
//   messageSize(parts)                   for `< n` / `> n` (the bytes as read, From_ included);
//                                        with `H ??` / `B ??` procmail compares that area's length
//
// Areas (areas.ts), cached per Buffer
//   headerArea(head), bodyArea(body), wholeArea(head, body) (HB: one contiguous text),
//   areaText(head, body, 'H'|'B'|'HB'), joinedHead(head) (folded newlines -> spaces)
//
// Feeding programs and files (feed.ts)
//   conditionInput(head, body, area)     stdin of a `?` condition (header joined as H sees it)
//   dumpData(chunks, raw) -> { chunks, reported }   everything else procmail writes: pipes and
//       filters (raw = r flag), forwards (leave out fromBlockLength() first), backticks,
//       captures and TRAP (whole message, never raw), Maildir and /dev/null (always raw).
//       `reported` is the size the abstract shows for pipes.
//
// Folder writing helpers
//   mboxQuoteOffsets(msg, 'whole'|'head'|'body')   where mbox writing inserts '>' (needs
//       quoteFromBody, i.e. the Message, not just MailParts)
//   fromBlockLength(buf)                 From_ line + following '>' lines, which Maildir and
//                                        forwards leave out when writing from the start
//
// Log (abstract.ts)
//   logAbstract(head, folder, bytes) -> string   From_ line, " Subject:", "  Folder:" line
//   abstractHeaderLines(head), abstractFolderLine(folder, bytes)
//
// Misc
//   getField(head, name) / getFields(head, name)  raw field values (fields.ts)
//   ctime(date)                          "Www Mmm dd hh:mm:ss yyyy" in local time (ctime.ts)

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
