// Where does a new message start when formail splits? At a real postmark ("From addr date")
// or, in digests, at a run of known header fields. The field names are procmail's header.h,
// including the Debian additions (User-Agent:, NNTP-Posting-Date:).
import { NL, SP, TAB, at, bytes, caseEq, skipBlanks } from './cbytes.ts';
import type { Field } from './fields.ts';

const NAMES = `Return-Path Received Reply-To From Sender Resent-Reply-To Resent-From Resent-Sender Date
Resent-Date To Resent-To Cc Resent-Cc Bcc Resent-Bcc Message-ID Resent-Message-ID In-Reply-To References
Keywords Subject Comments Encrypted Notice-Requested-Upon-Delivery-To Final-Recipient Remote-MTA
Diagnostic-Code Last-Attempt-Date Errors-To Return-Receipt-To Precedence Full-Name Posted-Date
Received-Date Message Text Via Apparently-To Apparently-Resent-To Delivered-To Mailing-List Autoforwarded
Content-Identifier Conversion Conversion-With-Loss Delivery-Date Discarded-X400-IPMS-Extensions
Discarded-X400-MTS-Extensions DL-Expansion-History Deferred-Delivery Expiry-Date Importance
Incomplete-Copy Language Latest-Delivery-Time Message-Type Obsoletes Supersedes
Original-Encoded-Information-Types Originator-Return-Address Priority Reply-By Requested-Delivery-Method
Sensitivity X400-Content-Type X400-MTS-Identifier X400-Originator X400-Received X400-Recipients X400-Trace
Alternate-Recipient Prevent-Nondelivery-Report Generate-Delivery-Report Disclose-Recipients
Content-Return Auto-Submitted PP-Warning Fcc Resent Forwarded Replied Article Path Summary Organisation
Organization Newsgroups Followup-To Approved Lines Expires Control Distribution Xref Originator
NNTP-Posting-Host Submitted-by Posted-To Mail-Copies-To Title Article-I.D. Posted Relay-Version Sent-By
Content-Type Encoding Content-MD5 MIME-Version Content-Transfer-Encoding Content-ID Content-Description
Content-Disposition Accept Public Allow Last-Modified URI Version Derived-From Content-Language Cost
Server WWW-Link Acknowledge-To Transport-Options Default-Options Content-Length Reference
Auto-Forwarded-From Auto-Forward-Count End-of-Header Original-From Original-To Original-Cc
Original-Auto-Forwarded-From Original-Date Not-Delivered-To Report-Version Original-Received Status
Mail-from Return-Receipt-Requested MR-Received App-Message-ID Hop-count From-warning
Request-Remailing-To Anon-Send-To Latent-Time Cutmarks Post-To Anon-Post-To Encrypt-Key Read-Receipt-To
Fake-Sender Envelope-To User-Agent NNTP-Posting-Date`;

/** The names (without the colon) grouped by length: looked up without making a string. */
const KNOWN_BY_LENGTH = new Map<number, Buffer[]>();
for (const n of NAMES.split(/\s+/)) {
  const list = KNOWN_BY_LENGTH.get(n.length) ?? [];
  list.push(bytes(n));
  KNOWN_BY_LENGTH.set(n.length, list);
}

function isKnownName(t: Uint8Array, len: number): boolean {
  const list = KNOWN_BY_LENGTH.get(len);
  if (list) for (let k = 0; k < list.length; k++) if (caseEq(t, 0, list[k]!, 0, len)) return true;
  return false;
}
const OLD_ = bytes('Old-');
const X_ = bytes('X-');

/** digheadr(): a known field name (blanks before the colon allowed), or an Old- or X- one. */
export function isDigestHeader(f: Field): boolean {
  const t = f.text;
  let j = f.idLen;
  while (j >= 2 && (t[j - 2] === SP || t[j - 2] === TAB)) j--;
  if (j >= 1 && isKnownName(t, j - 1)) return true;
  return (j > 4 && caseEq(OLD_, 0, t, 0, 4)) || (j > 2 && caseEq(X_, 0, t, 0, 2));
}

/** "From " followed by an address and then something more on the same line. */
export function isRealPostmark(t: Uint8Array): boolean {
  const c = skipBlanks(t, 5);
  let k = c;
  while (k < t.length && t[k] !== SP && t[k] !== TAB && t[k] !== NL && t[k] !== 0) k++;
  return k > c && at(t, skipBlanks(t, k)) !== NL;
}
