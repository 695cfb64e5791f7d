// Field names formail recognises as the start of a message when splitting digests (and as
// the second line of a real mbox postmark): procmail's header.h, including the Debian
// additions (User-Agent:, NNTP-Posting-Date:). Stored lower-case without the colon.
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

export const KNOWN_HEADERS: ReadonlySet<string> = new Set(NAMES.split(/\s+/).map((n) => n.toLowerCase()));
