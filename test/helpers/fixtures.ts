// Test fixtures shared by several test files.

/** The message of most oracle cases (494 bytes, one body line starting with "From "). */
export const LUNCH_TEXT =
  'From alice@example.org  Mon Jan  1 10:00:00 2001\n' +
  'Return-Path: <alice@example.org>\n' +
  'Received: from mx.example.org (mx.example.org [192.0.2.1])\n' +
  '\tby mail.example.net (Postfix) with ESMTP id 4F1A2B3C\n' +
  '\tfor <bob@example.net>; Mon,  1 Jan 2001 10:00:00 +0000 (UTC)\n' +
  'From: Alice Example <alice@example.org>\n' +
  'To: Bob <bob@example.net>\n' +
  'Subject: Lunch on Friday\n' +
  'Date: Mon, 1 Jan 2001 10:00:00 +0000\n' +
  'Message-ID: <lunch-1@example.org>\n' +
  '\n' +
  'Hi Bob,\n' +
  '\n' +
  'Shall we have lunch on Friday?\n' +
  '\n' +
  'From the desk of Alice\n' +
  '-- \n' +
  'Alice\n';

/** Deterministic PRNG (mulberry32), so a failure can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
