// Connected pairs of unix stream sockets (Node has no socketpair()): listen on a fresh path
// in a directory only this process's user can enter, connect to it, and remove the path at
// once. The supervisor hands one end to a worker and the other to the listener, so that
// message bytes go from the LMTP side to the delivering worker without passing through root.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';

export class SocketPairs {
  private dir: string | undefined;
  private counter = 0;

  private directory(): string {
    // made again if something (a /tmp cleaner) removed it
    if (this.dir && fs.existsSync(this.dir)) return this.dir;
    this.dir = fs.mkdtempSync(join(os.tmpdir(), 'sluice-pair-'));
    fs.chmodSync(this.dir, 0o700);
    return this.dir;
  }

  make(): Promise<[net.Socket, net.Socket]> {
    const path = join(this.directory(), `${++this.counter}.sock`);
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true });
      let client: net.Socket | undefined;
      let accepted: net.Socket | undefined;
      let connected = false;
      const fail = (err: Error) => {
        server.close();
        client?.destroy();
        fs.rmSync(path, { force: true });
        reject(err);
      };
      const done = () => {
        if (!accepted || !connected) return;
        server.close();
        fs.rmSync(path, { force: true });
        client!.pause();
        resolve([accepted, client!]);
      };
      server.once('error', fail);
      server.once('connection', (socket) => {
        accepted = socket;
        done();
      });
      server.listen(path, () => {
        client = net.connect(path, () => {
          connected = true;
          done();
        });
        client.once('error', fail);
      });
    });
  }

  /** Removes the directory (the daemon stops). */
  close(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
