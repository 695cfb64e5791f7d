// `sluice serve`'s supervisor: starts every daemon the configuration enables (LMTP today;
// milter, content filter, policy service and retriever plug in the same way), reloads them
// on SIGHUP without dropping connections, and stops them gracefully.
import { LMTPD_DEFAULTS, startLmtpd, type LmtpdHandle, type LmtpdOptions } from '../lmtp/daemon.ts';
import type { Logger } from '../lmtp/log.ts';
import { loadConfig, type ServeConfig } from './config.ts';
import { prepareDataDir } from './setup.ts';

/** One kind of daemon `serve` can run. */
export interface DaemonKind {
  name: string;
  enabled(cfg: ServeConfig): boolean;
  start(cfg: ServeConfig, log: Logger): Promise<RunningDaemon>;
}

export interface RunningDaemon {
  /** Where it listens, for the start-up log line. */
  readonly addresses: string[];
  reload(cfg: ServeConfig): Promise<void>;
  close(): Promise<void>;
}

export function lmtpdOptions(cfg: ServeConfig, log: Logger): LmtpdOptions {
  const l = cfg.lmtp;
  return {
    ...LMTPD_DEFAULTS,
    listen: l.listen,
    passwdFile: l.passwdFile,
    systemUsers: l.systemUsers,
    systemRc: l.systemRc,
    recipientDelimiter: l.recipientDelimiter,
    maxMessageSize: l.maxMessageSize,
    deliveryTimeoutSeconds: l.deliveryTimeout,
    workersPerUser: l.workersPerUser,
    workerIdleSeconds: l.workerIdle,
    socketTimeout: l.socketTimeout,
    listenerUser: l.listenerUser,
    firstValidUid: l.firstValidUid,
    logger: log,
  };
}

export const LMTP_DAEMON: DaemonKind = {
  name: 'lmtp',
  enabled: (cfg) => cfg.lmtp.enabled,
  async start(cfg, log) {
    const child = log.child({ daemon: 'lmtp' });
    const d: LmtpdHandle = await startLmtpd(lmtpdOptions(cfg, child));
    return {
      get addresses() {
        return d.addresses;
      },
      reload: (next) => d.reload(lmtpdOptions(next, child)),
      close: () => d.close(),
    };
  },
};

export const DAEMON_KINDS: DaemonKind[] = [LMTP_DAEMON];

export interface ServeHandle {
  readonly config: ServeConfig;
  /** Running daemons by name, with their addresses. */
  status(): Record<string, string[]>;
  /** Re-reads the config file (not the embedded default: nothing to re-read) and applies it. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function startServe(cfg: ServeConfig, log: Logger, kinds: DaemonKind[] = DAEMON_KINDS): Promise<ServeHandle> {
  for (const line of prepareDataDir(cfg)) log.info(line);
  const running = new Map<string, RunningDaemon>();
  let config = cfg;
  const apply = async (next: ServeConfig) => {
    for (const kind of kinds) {
      const current = running.get(kind.name);
      const want = kind.enabled(next);
      if (current && !want) {
        running.delete(kind.name);
        await current.close();
      } else if (current && want) await current.reload(next);
      else if (!current && want) running.set(kind.name, await kind.start(next, log));
    }
    config = next;
  };
  try {
    await apply(cfg);
  } catch (err) {
    await Promise.all([...running.values()].map((d) => d.close()));
    throw err;
  }
  log.info({ config: cfg.file ?? '(embedded default)', daemons: Object.fromEntries([...running].map(([n, d]) => [n, d.addresses])) }, 'sluice serve ready');
  return {
    get config() {
      return config;
    },
    status: () => Object.fromEntries([...running].map(([n, d]) => [n, d.addresses])),
    async reload() {
      // a broken file throws here and the running configuration stays as it was
      const next = config.file === null ? config : loadConfig(config.file);
      for (const line of prepareDataDir(next)) log.info(line);
      await apply(next);
      log.info({ config: next.file ?? '(embedded default)' }, 'configuration reloaded');
    },
    async close() {
      await Promise.all([...running.values()].map((d) => d.close()));
      running.clear();
    },
  };
}
