// Turns the engine's trace (EngineTrace) into the explanation of one message: the recipes
// tried with their conditions, the assignments, the actions. It also keeps the host's
// Cursor current, which is how the dry-run host knows whether a program is a condition, a
// filter or a delivering pipe.
import type { EngineTrace } from '../engine/engine.ts';
import type { Cursor, DryRunHost, MessageEffects } from './host.ts';
import type { RecipeTrace } from './model.ts';

export class TraceRecorder implements EngineTrace {
  readonly cursor: Cursor = { phase: 'top', flags: '' };
  readonly recipes: RecipeTrace[] = [];
  readonly variables = new Map<string, string | null>();
  private currentRecipe: RecipeTrace | null = null;
  /** MATCH as the last condition left it (conditions report it; it is not an assignment). */
  lastMatch: string | undefined;
  readonly effects: MessageEffects;

  constructor(private readonly host: DryRunHost, cwd: string) {
    this.effects = host.begin(cwd, this.cursor);
  }

  rcfile(path: string): void {
    this.effects.trace.push({ type: 'rcfile', path });
  }

  recipe(at: { file: string; line: number; flags: string; lockfile?: string }): void {
    const r: RecipeTrace = {
      file: at.file, line: at.line, flags: at.flags, conditions: [], matched: null,
      ...(at.lockfile !== undefined ? { lockfile: at.lockfile } : {}),
    };
    this.recipes.push(r);
    this.currentRecipe = r;
    this.effects.trace.push({ type: 'recipe', recipe: r });
    this.cursor.phase = 'conditions';
    this.cursor.flags = at.flags;
  }

  condition(c: { text: string; matched: boolean; score?: number; match?: string }): void {
    const r = this.currentRecipe;
    if (!r) return;
    const prev = this.lastMatch;
    this.lastMatch = c.match;
    r.conditions.push({
      text: c.text,
      matched: c.matched,
      ...(c.score !== undefined ? { score: c.score } : {}),
      ...(c.match !== undefined && c.match !== prev ? { match: c.match } : {}),
    });
  }

  recipeMatched(matched: boolean): void {
    if (this.currentRecipe) this.currentRecipe.matched = matched;
    this.cursor.phase = matched ? 'action' : 'top';
  }

  action(a: { kind: 'folder' | 'pipe' | 'forward' | 'filter' | 'capture' | 'block' | 'default'; target: string; ok: boolean; copy: boolean }): void {
    if (a.kind !== 'default' && this.currentRecipe && !this.currentRecipe.action) {
      this.currentRecipe.action = { kind: a.kind, target: a.target, ok: a.ok, copy: a.copy };
    }
    const last = this.effects.deliveries[this.effects.deliveries.length - 1];
    switch (a.kind) {
      case 'folder':
        if (last) last.copy = a.copy;
        break;
      case 'default':
        if (last) last.fallback = true;
        break;
      case 'pipe':
      case 'forward': {
        const locks = this.host.heldLockfiles();
        this.host.recordDelivery({
          kind: a.kind, target: a.target, ok: a.ok, copy: a.copy, fallback: false,
          ...(locks.length ? { locks } : {}),
        });
        break;
      }
      default:
        break;
    }
    this.cursor.phase = 'top';
  }

  assign(name: string, value: string | undefined): void {
    if (name === 'MATCH') this.lastMatch = value;
    this.variables.set(name, value ?? null);
    this.effects.trace.push({ type: 'assign', name, value: value ?? null });
  }
}
