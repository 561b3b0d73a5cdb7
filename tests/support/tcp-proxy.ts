/**
 * A TCP proxy on loopback that a test can cut and restore (issue #10 fault tests): put it
 * between the server and PostgreSQL, `cut()` drops every open connection and refuses new
 * ones (accepted then closed at once, as a server that died would), `restore()` lets them in
 * again.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private isCut = false;
  /** connections refused while cut (a barrier: the server did try) */
  refused = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => {
      if (proxy === null || proxy.isCut) {
        if (proxy) proxy.refused++;
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, targetHost);
      const own = proxy;
      own.sockets.add(client);
      own.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        own.sockets.delete(client);
        own.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** A URL like `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get cut(): boolean {
    return this.isCut;
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  cutOff(): void {
    this.isCut = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  async close(): Promise<void> {
    this.cutOff();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A fresh database on the DATABASE_URL server; `url` names it directly. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.DATABASE_URL!;
  const name = `sesame_fault_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}
