// The engine must reach the world only through the Effects interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const engineDir = resolve(import.meta.dirname, '../src/engine');

test('src/engine imports neither node:fs nor node:child_process', () => {
  const offenders: string[] = [];
  for (const f of readdirSync(engineDir)) {
    if (!f.endsWith('.ts')) continue;
    const text = readFileSync(join(engineDir, f), 'utf8');
    if (/from ['"](node:)?(fs|child_process|fs\/promises)['"]/.test(text)) offenders.push(f);
  }
  assert.deepEqual(offenders, []);
});
