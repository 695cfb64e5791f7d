// procmail's regex macros (^TO_, ^TO, ^FROM_DAEMON, ^FROM_MAILER): textual substitution
// before the regex is compiled. Expansions are byte-for-byte those of the installed
// procmail 3.22 binary (identical to procmailrc(5) and config.h).

const TO_ADDRESS =
  '(^((Original-)?(Resent-)?(To|Cc|Bcc)|(X-Envelope|Apparently(-Resent)?)-To):(.*[^-a-zA-Z0-9_.])?)';
const TO_WORD =
  '(^((Original-)?(Resent-)?(To|Cc|Bcc)|(X-Envelope|Apparently(-Resent)?)-To):(.*[^a-zA-Z])?)';
const FROM_DAEMON =
  '(^(Mailing-List:|Precedence:.*(junk|bulk|list)|To: Multiple recipients of |' +
  '(((Resent-)?(From|Sender)|X-Envelope-From):|>?From )([^>]*[^(.%@a-z0-9])?(' +
  'Post(ma?(st(e?r)?|n)|office)|(send)?Mail(er)?|daemon|m(mdf|ajordomo)|n?uucp|' +
  'LIST(SERV|proc)|NETSERV|o(wner|ps)|r(e(quest|sponse)|oot)|b(ounce|bs\\.smtp)|' +
  'echo|mirror|s(erv(ices?|er)|mtp(error)?|ystem)|' +
  'A(dmin(istrator)?|MMGR|utoanswer)' +
  ')(([^).!:a-z0-9][-_a-z0-9]*)?[%@>\t ][^<)]*(\\(.*\\).*)?)?$([^>]|$)))';
const FROM_MAILER =
  '(^(((Resent-)?(From|Sender)|X-Envelope-From):|' +
  '>?From )([^>]*[^(.%@a-z0-9])?(' +
  'Post(ma(st(er)?|n)|office)|(send)?Mail(er)?|daemon|mmdf|n?uucp|ops|' +
  'r(esponse|oot)|(bbs\\.)?smtp(error)?|s(erv(ices?|er)|ystem)|A(dmin(istrator)?|' +
  'MMGR)' +
  ')(([^).!:a-z0-9][-_a-z0-9]*)?[%@>\t ][^<)]*(\\(.*\\).*)?)?$([^>]|$))';

/** In procmail's search order: ^TO_ must be tried before its prefix ^TO. */
const MACROS: ReadonlyArray<{ key: string; expansion: string }> = [
  { key: '^FROM_DAEMON', expansion: FROM_DAEMON },
  { key: '^TO_', expansion: TO_ADDRESS },
  { key: '^TO', expansion: TO_WORD },
  { key: '^FROM_MAILER', expansion: FROM_MAILER },
];

export interface MacroExpansion {
  pattern: string;
  /** ^FROM_DAEMON was expanded: procmail then matches case-insensitively even under `D`. */
  forceCaseInsensitive: boolean;
}

/**
 * Expand the macros exactly as procmail's condition parser does (src/misc.c): look for the
 * first occurrence of each key in order; an occurrence preceded by a backslash is left
 * alone and, as in procmail, then stops the search for that key (later occurrences stay
 * unexpanded too); after every substitution the search starts over.
 *
 * `quotedStart`: the condition began with a quoting backslash that the rc layer removed
 * (`* \^TO_x`); procmail still sees that backslash in front of the pattern, so a macro at
 * position 0 is not expanded.
 */
export function expandMacros(pattern: string, quotedStart = false): MacroExpansion {
  let s = pattern;
  let forceCaseInsensitive = false;
  for (let k = 0; k < MACROS.length; ) {
    const { key, expansion } = MACROS[k]!;
    const at = s.indexOf(key);
    const escaped = at === 0 ? quotedStart : at > 0 && s[at - 1] === '\\';
    if (at >= 0 && !escaped) {
      s = s.slice(0, at) + expansion + s.slice(at + key.length);
      if (k === 0) forceCaseInsensitive = true;
      k = 0;
    } else {
      k++;
    }
  }
  return { pattern: s, forceCaseInsensitive };
}
