// Every limit sluice enforces, named and documented in one place (after Postfix's mail_params.h).

/** procmail's LINEBUF default: longest expansion of a condition, action or assignment. */
export const LINEBUF_DEFAULT = 2048;
/** LINEBUF can never be set below this (procmail's MINlinebuf). */
export const LINEBUF_MIN = 128;
/** Seconds a program may run before SIGTERM (procmail's TIMEOUT default). */
export const TIMEOUT_DEFAULT = 960;
/** Seconds between lock attempts (LOCKSLEEP). */
export const LOCKSLEEP_DEFAULT = 8;
/** A lockfile older than this many seconds is stale (LOCKTIMEOUT); 0 disables forcing. */
export const LOCKTIMEOUT_DEFAULT = 1024;
/** Seconds to pause after forcing a stale lock, and after resource errors (SUSPEND). */
export const SUSPEND_DEFAULT = 16;
/** Default umask for everything the delivery agent creates. */
export const UMASK_DEFAULT = 0o077;
/** Nesting depth of INCLUDERC before we refuse (procmail has no limit; this stops include loops). */
export const INCLUDE_DEPTH_MAX = 32;
/** Largest message sluice reads into memory from stdin (bytes). */
export const MESSAGE_SIZE_MAX = 1024 * 1024 * 1024;
/** Width of the "  Folder:" column in the log abstract (size is right-aligned to end here + 7). */
export const ABSTRACT_FOLDER_COLUMN = 72;
/** Milliseconds the LMTP listener trusts a positive recipient lookup (RCPT then DATA, and the next messages). */
export const LMTP_LOOKUP_CACHE_MS = 2000;
/** Seconds a delivery whose worker vanished waits for the supervisor to say how it ended. */
export const LMTP_WORKER_EXIT_WAIT_SECONDS = 2;
/**
 * Recipients one LMTP transaction may name (Postfix's smtpd_recipient_limit): the next get
 * 452 4.5.3, and the MTA sends them again in another transaction. Each accepted recipient
 * is a delivery, so this bounds what one DATA can set off.
 */
export const LMTP_MAX_RECIPIENTS = 1000;
/**
 * LMTP connections one listen address serves at once; the next are told 421 and closed (the
 * MTA tries again). Postfix runs at most 100 lmtp(8) clients by default: this bounds the
 * descriptors and memory a flood of connections can take, far above any MTA's use.
 */
export const LMTP_MAX_CLIENTS = 1000;
/** Bytes a listener-to-worker frame may carry beyond the largest message (the envelope around it). */
export const LMTP_FRAME_SLACK = 64 * 1024;
