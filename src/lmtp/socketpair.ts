// A connected pair of unix stream sockets (Node has no socketpair()): listen on a fresh path
// in a directory only this process's user can enter, connect to it, and remove both at once.
// The supervisor hands one end to a worker and the other to the listener, so that message
// bytes go from the LMTP side to the delivering worker without passing through root.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';

let privateDir: string | undefined;
let counter = 0;

function directory(): string {
  if (privateDir && fs.existsSync(privateDir)) return privateDir;
  privateDir = fs.mkdtempSync(join(os.tmpdir(), 'sluice-pair-'));
  fs.chmodSync(privateDir, 0o700);
  return privateDir;
}

export function socketPair(): Promise<[net.Socket, net.Socket]> {
  const path = join(directory(), `${process.pid}.${++counter}.sock`);
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: true });
    let client: net.Socket | undefined;
    const fail = (err: Error) => {
      server.close();
      client?.destroy();
      fs.rmSync(path, { force: true });
      reject(err);
    };
    let accepted: net.Socket | undefined;
    let connected = false;
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

/** Removes the private directory (at shutdown). */
export function removeSocketDir(): void {
  if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
  privateDir = undefined;
}
