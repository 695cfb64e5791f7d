// Unit tests for procmail's sh-like word parser (quotes, escapes, substitutions, backticks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readParse, splitWords, type ExpandContext } from '../src/rc/readparse.ts';
import { StringSource } from '../src/rc/reader.ts';

function ctx(vars: Record<string, string>, logs: string[] = [], ran: string[] = []): ExpandContext {
  return {
    get: (n) => vars[n],
    pid: () => 4242,
    lastExit: () => 3,
    lastScore: () => 17,
    argCount: () => 2,
    rcName: () => '/home/u/.procmailrc',
    args: () => ['one', 'two words'],
    backtick: async (cmd) => {
      ran.push(cmd);
      return `out(${cmd})`;
    },
    hasShellMetas: (t) => /[&|<>~;?*[]/.test(t),
    log: (t) => logs.push(t),
    linebuf: () => 2048,
  };
}

async function value(text: string, vars: Record<string, string> = {}): Promise<string> {
  const r = await readParse(new StringSource(text), 'value', false, ctx(vars));
  return r.text.replace(/\0$/, '');
}
async function words(text: string, vars: Record<string, string> = {}): Promise<string[]> {
  return splitWords((await readParse(new StringSource(text), 'words', false, ctx(vars))).text);
}

test('assignment values stop at the first unquoted blank', async () => {
  assert.equal(await value('two words after\n'), 'two');
  assert.equal(await value('"two words" after\n'), 'two words');
  assert.equal(await value("'a $X b'\n", { X: 'x' }), 'a $X b');
  assert.equal(await value('a"b c"d\n'), 'ab cd');
});

test('substitution forms distinguish unset from empty', async () => {
  const v = { SET: 'val', EMPTY: '' };
  assert.equal(await value('${SET:-alt}\n', v), 'val');
  assert.equal(await value('${EMPTY:-alt}\n', v), 'alt');
  assert.equal(await value('${NONE:-alt}\n', v), 'alt');
  assert.equal(await value('${EMPTY-alt}\n', v), '');
  assert.equal(await value('${NONE-alt}\n', v), 'alt');
  assert.equal(await value('${SET:+alt}\n', v), 'alt');
  assert.equal(await value('${EMPTY:+alt}\n', v), '');
  assert.equal(await value('${EMPTY+alt}\n', v), 'alt');
  assert.equal(await value('${NONE+alt}\n', v), '');
  assert.equal(await value('[$]\n'), '[$]');
});

test('special parameters', async () => {
  assert.equal(await value('$$/$?/$#/$=/$_\n'), '4242/3/2/17//home/u/.procmailrc');
  assert.equal(await value('"$1|$2"\n', { 1: 'one', 2: 'two words' }), 'one|two words');
});

test('$\\VAR quotes regex specials and protects the first character', async () => {
  assert.equal(await value('$\\V\n', { V: 'a.b*c' }), '()a\\.b\\*c');
});

test('backslashes: line continuation, escapes outside and inside double quotes', async () => {
  assert.equal(await value('ab\\\ncd\n'), 'abcd');
  assert.equal(await value('a\\ b\n'), 'a b');
  assert.equal(await value('"a\\.b"\n'), 'a\\.b');
  assert.equal(await value('a\\.b\n'), 'a.b');
  assert.equal(await value('"x\\"y"\n'), 'x"y');
});

test('program words are split like sh, unquoted expansions are split on blanks', async () => {
  assert.deepEqual(await words(`printf '%s|' one "two words" 'three' four\\ five\n`), ['printf', '%s|', 'one', 'two words', 'three', 'four five']);
  assert.deepEqual(await words('cmd $V\n', { V: 'a  b' }), ['cmd', 'a', 'b']);
  assert.deepEqual(await words('cmd "$V"\n', { V: 'a  b' }), ['cmd', 'a  b']);
});

test('backticks run with the output substituted; not run when skipping', async () => {
  const ran: string[] = [];
  const r = await readParse(new StringSource('`echo hi`\n'), 'value', false, ctx({}, [], ran));
  assert.equal(r.text.replace(/\0$/, ''), 'out(echo hi)');
  const skipped: string[] = [];
  await readParse(new StringSource('`echo no`\n'), 'value', true, ctx({}, [], skipped));
  assert.deepEqual(skipped, []);
});

test('unterminated quote reports Unexpected EOL and swallows the rest', async () => {
  const logs: string[] = [];
  const r = await readParse(new StringSource('"abc\nrest of file'), 'value', false, ctx({}, logs));
  assert.deepEqual(logs, ['Unexpected EOL\n']);
  assert.equal(r.text.replace(/\0$/, ''), 'abc\nrest of file');
});

test('bad substitution is reported', async () => {
  const logs: string[] = [];
  await readParse(new StringSource('${x%y}\n'), 'value', false, ctx({}, logs));
  assert.deepEqual(logs, ['Bad substitution of "x"\n']);
});
