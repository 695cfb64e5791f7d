// procmail's variables: one ordered environment (every variable is exported to programs)
// plus the internal copies of the numeric ones, which keep their old value when assigned
// something that is not a number or a boolean word (procmail's renvint()).

/** procmail's renvint(): a decimal number, or on/yes/true/every=1, off/no/false/down=0, all=2. */
export function renvint(old: number, value: string): number {
  const m = /^\s*([+-]?\d+)/.exec(value);
  if (m) return parseInt(m[1]!, 10);
  const s = value.replace(/^[ \t\n\v\f\r]+/, '');
  const c = s[0]?.toLowerCase();
  switch (c) {
    case 'o':
      if (s[1]?.toLowerCase() === 'n') return 1;
      if (s.slice(1, 3).toLowerCase() === 'ff') return 0;
      return old;
    case 'y': case 't': case 'e':
      return 1;
    case 'n': case 'f': case 'd':
      return 0;
    case 'a':
      return 2;
    default:
      return old;
  }
}

export class Environment {
  private readonly map = new Map<string, string>();

  constructor(initial: Iterable<[string, string]> = []) {
    for (const [k, v] of initial) this.map.set(k, v);
  }

  get(name: string): string | undefined {
    return this.map.get(name);
  }
  /** procmail's tgetenv(): unset reads as empty. */
  text(name: string): string {
    return this.map.get(name) ?? '';
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  set(name: string, value: string): void {
    // procmail removes the old entry and appends the new one
    this.map.delete(name);
    this.map.set(name, value);
  }
  unset(name: string): void {
    this.map.delete(name);
  }
  /** The environment handed to programs. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
  clone(): Environment {
    return new Environment(this.map);
  }
}
