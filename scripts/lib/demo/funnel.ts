// A stand-in for Tailscale Funnel on loopback: forwards TCP to the laptop's healthcheck server, or plays
// the ways a laptop disappears from the internet: connections reset (off), accepted and never answered
// (frozen, or a black-holed network), or every other connection reset (a flapping link).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type FunnelMode = 'forward' | 'reset' | 'hang' | 'flap';

export interface Funnel {
  url: string;
  setMode(mode: FunnelMode): void;
  close(): Promise<void>;
}

export async function startFunnel(targetPort: number): Promise<Funnel> {
  let mode: FunnelMode = 'forward';
  let flapCount = 0;
  const sockets = new Set<Socket>();

  const forward = (client: Socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  };

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const now = mode === 'flap' ? (flapCount++ % 2 === 0 ? 'reset' : 'forward') : mode;
    if (now === 'forward') forward(client);
    else if (now === 'reset') client.resetAndDestroy();
    else client.on('error', () => client.destroy()); // hang: hold the connection, answer nothing
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/health`,
    setMode(next) {
      mode = next;
      flapCount = 0;
      // A held or pooled connection must not outlive the behaviour it was opened under.
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
