// An Effects implementation that records what the engine asks for and touches nothing:
// the engine's unit and fuzz tests run on it.
import type {
  Effects, FolderDelivery, FolderResult, LockRequest, ProgramRequest, ProgramResult, RcOpen,
} from '../../src/engine/effects.ts';

export interface Recorded {
  deliveries: { folders: string[]; bytes: number }[];
  programs: { argv: string[]; wait: boolean }[];
  locks: string[];
  log: string;
  stdout: Buffer[];
}

export class RecordingHost implements Effects {
  readonly rec: Recorded = { deliveries: [], programs: [], locks: [], log: '', stdout: [] };
  private dir = '/home/test';

  constructor(
    private readonly rcfiles: Record<string, string>,
    private readonly programOutput: (argv: string[]) => { status: number; stdout: string } = () => ({ status: 0, stdout: '' }),
  ) {}

  log(text: string): void {
    this.rec.log += text;
  }
  setLogfile(): boolean {
    return true;
  }
  chdir(dir: string): boolean {
    this.dir = dir.startsWith('/') ? dir : `${this.dir}/${dir}`;
    return true;
  }
  cwd(): string {
    return this.dir;
  }
  async deliver(req: FolderDelivery): Promise<FolderResult> {
    const bytes = req.mail.head.length + req.mail.body.length;
    const first = req.folders[0] ?? '';
    req.setLastFolder(first);
    this.rec.deliveries.push({ folders: req.folders, bytes });
    return { ok: !first.startsWith('/unwritable'), lastFolder: first, bytes };
  }
  async run(req: ProgramRequest): Promise<ProgramResult> {
    this.rec.programs.push({ argv: req.argv, wait: req.wait });
    const out = this.programOutput(req.argv);
    return { status: out.status, stdout: Buffer.from(out.stdout, 'latin1'), writeError: false, timedOut: false };
  }
  async lock(req: LockRequest): Promise<boolean> {
    this.rec.locks.push(req.path);
    return true;
  }
  unlock(): void {}
  readRc(path: string): RcOpen {
    const text = this.rcfiles[path];
    return text === undefined ? { ok: false, reason: 'missing' } : { ok: true, text: Buffer.from(text, 'latin1') };
  }
  async writeStdout(data: Buffer[]): Promise<void> {
    this.rec.stdout.push(...data);
  }
  async flush(): Promise<void> {}
  now(): Date {
    return new Date(Date.UTC(2026, 0, 1));
  }
  pid(): number {
    return 4242;
  }
  hostname(): string {
    return 'test.example';
  }
}
