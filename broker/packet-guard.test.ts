import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { GuardedConnection, PacketScanner } from './packet-guard.ts';

const scanner = () => new PacketScanner({ connectBytes: 100, packetBytes: 1000 });
const connect = mqttPacket.generate({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  clientId: 'dev-1',
  keepalive: 60,
  username: 'dev-1',
  password: Buffer.from('secret'),
});
const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 't',
    payload: Buffer.alloc(bytes),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  });

describe('PacketScanner', () => {
  it('accepts packets up to the limit, one chunk or byte by byte', () => {
    const stream = Buffer.concat([connect, publish(995), Buffer.from([0xc0, 0x00]), publish(0)]);
    expect(scanner().feed(stream)).toEqual({ ok: true });
    const s = scanner();
    for (const byte of stream) expect(s.feed(Buffer.from([byte]))).toEqual({ ok: true });
  });

  it('refuses the first packet over the CONNECT limit, later ones over the packet limit', () => {
    expect(scanner().feed(Buffer.from([0x10, 101]))).toMatchObject({ ok: false, announced: 101 });
    const s = scanner();
    expect(s.feed(connect)).toEqual({ ok: true });
    // remaining length 1001 = 0xE9 0x07; refused as soon as the header says so, body unread
    expect(s.feed(Buffer.from([0x32, 0xe9, 0x07]))).toMatchObject({ ok: false, announced: 1001 });
  });

  it('refuses an announced 150 MB from its header bytes alone', () => {
    const s = scanner();
    // 150 MiB = 157286400: the second length byte already passes the limit
    expect(s.feed(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x4b]))).toMatchObject({ ok: false });
  });

  it('refuses a remaining length of more than 4 bytes [MQTT-2.2.3]', () => {
    const s = new PacketScanner({ connectBytes: 2 ** 30, packetBytes: 2 ** 30 });
    expect(s.feed(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80]))).toMatchObject({
      ok: false,
      why: 'malformed remaining length',
    });
  });

  it('applies a raised limit to the packets that follow (a server client)', () => {
    const s = scanner();
    s.feed(connect);
    s.setPacketLimit(10_000);
    expect(s.feed(publish(5_000))).toEqual({ ok: true });
  });
});

describe('PacketScanner.headerBytesPending', () => {
  it('counts the bytes of a fixed header not yet complete', () => {
    const s = scanner();
    s.feed(connect);
    expect(s.headerBytesPending).toBe(0);
    s.feed(Buffer.from([0x32]));
    expect(s.headerBytesPending).toBe(1);
    s.feed(Buffer.from([0xe8])); // more length bytes follow
    expect(s.headerBytesPending).toBe(2);
    s.feed(Buffer.from([0x07])); // 1000: complete, within the limit
    expect(s.headerBytesPending).toBe(0);
  });
});

describe('GuardedConnection', () => {
  /** A real TCP pair: the guard wraps the accepted socket; returns what it passes on until it closes. */
  async function through(writes: Buffer[], end = false) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const { port } = server.address() as net.AddressInfo;
    const client = net.createConnection({ port, host: '127.0.0.1', noDelay: true });
    client.on('error', () => {});
    const violations: unknown[] = [];
    const guard = new GuardedConnection(await accepted, scanner(), (v) => violations.push(v));
    const passed: Buffer[] = [];
    guard.on('readable', () => {
      for (let b = guard.read(); b !== null; b = guard.read()) passed.push(b);
    });
    guard.on('error', () => {});
    const closed = new Promise<void>((resolve) => guard.once('close', () => resolve()));
    for (const w of writes) {
      client.write(w);
      await new Promise((resolve) => setTimeout(resolve, 5)); // separate reads, not a wait for an effect
    }
    if (end) client.end();
    await closed;
    client.destroy();
    server.close();
    return { passed: Buffer.concat(passed), violations, tripped: guard.tripped };
  }

  it('passes on whole packets within the limit and not one byte of the over-limit one', async () => {
    const ok = publish(990);
    const big = publish(1200);
    // Header bytes of the good publish arrive one by one; the big one's header is split too.
    const writes = [
      connect,
      ok.subarray(0, 1),
      ok.subarray(1, 2),
      ok.subarray(2),
      big.subarray(0, 2),
      big.subarray(2),
    ];
    const r = await through(writes);
    expect(r.passed.equals(Buffer.concat([connect, ok]))).toBe(true);
    expect(r.tripped).toBe(true);
    expect(r.violations).toEqual([expect.objectContaining({ why: 'packet too large' })]);
  });

  it('drops a whole over-limit packet that arrives in one read with the packets before it', async () => {
    const r = await through([connect, Buffer.concat([publish(10), publish(1200)])]);
    expect(r.passed.equals(connect)).toBe(true);
    expect(r.tripped).toBe(true);
  });

  it('ends cleanly when the peer closes, a half-received header withheld', async () => {
    const r = await through([connect, Buffer.from([0x32])], true);
    expect(r.passed.equals(connect)).toBe(true);
    expect(r.tripped).toBe(false);
  });
});
