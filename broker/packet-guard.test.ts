import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketScanner } from './packet-guard.ts';

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
