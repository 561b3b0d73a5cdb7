import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type FrameRejection, Rdm6300Parser } from './rdm6300.ts';

const TAG = '0F00A3B2C1'; // 5 data bytes: version 0F, tag 00A3B2C1
const frame = (data = TAG, checksum?: number) => Array.from(encodeFrame(data, checksum));
const bytes = (...parts: Array<number[] | string>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'ascii')] : p)));

describe('decodeFrame', () => {
  it.each<[string, number[], string | { rejected: FrameRejection }]>([
    ['a good frame', frame(), TAG],
    [
      'lower-case hex, reported upper case',
      [0x02, ...Buffer.from('0f00a3b2c1', 'ascii'), ...frame().slice(11)],
      TAG,
    ],
    ['a wrong checksum', frame(TAG, 0x00), { rejected: 'bad_checksum' }],
    ['no ETX', [...frame().slice(0, 13), 0x04], { rejected: 'bad_frame' }],
    ['non-hex characters', [0x02, ...Buffer.from('0F00A3B2CZ00', 'ascii'), 0x03], { rejected: 'bad_frame' }],
    ['too short', frame().slice(0, 10), { rejected: 'bad_frame' }],
  ])('%s', (_name, input, expected) => {
    expect(decodeFrame(input)).toEqual(expected);
  });
});

describe('Rdm6300Parser', () => {
  const chunksOf = (data: Uint8Array, size: number) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
    return out;
  };

  it.each<[string, Uint8Array[], string[]]>([
    ['one frame in one chunk', [bytes(frame())], [TAG]],
    ['one frame byte by byte', chunksOf(bytes(frame()), 1), [TAG]],
    ['one frame in uneven chunks', chunksOf(bytes(frame()), 5), [TAG]],
    ['garbage before the frame', [bytes([0xff, 0x41, 0x03, 0x00], frame())], [TAG]],
    [
      'a truncated frame, then a good one (resync on the next STX)',
      [bytes(frame().slice(0, 8), frame())],
      [TAG],
    ],
    ['a bad checksum is dropped', [bytes(frame(TAG, 0x42))], []],
    ['a bad checksum, then a good frame', [bytes(frame(TAG, 0x42), frame('1122334455'))], ['1122334455']],
    ['two different tags', [bytes(frame(), frame('1122334455'))], [TAG, '1122334455']],
    ['the same tag repeated at once (held on the reader)', [bytes(frame(), frame(), frame())], [TAG]],
    ['noise only', [bytes('hello world', [0x03, 0x03])], []],
  ])('%s', (_name, chunks, expected) => {
    const parser = new Rdm6300Parser();
    const out = chunks.flatMap((c) => parser.push(c, 1000));
    expect(out).toEqual(expected);
  });

  it('reports the same tag again once it left the field for the debounce time', () => {
    const parser = new Rdm6300Parser({ debounceMs: 1500 });
    expect(parser.push(bytes(frame()), 0)).toEqual([TAG]);
    expect(parser.push(bytes(frame()), 1000)).toEqual([]); // still held
    expect(parser.push(bytes(frame()), 2000)).toEqual([]); // sliding window: 1000 ms since last frame
    expect(parser.push(bytes(frame()), 3600)).toEqual([TAG]); // 1600 ms of silence
  });

  it('a different tag is reported at once', () => {
    const parser = new Rdm6300Parser();
    expect(parser.push(bytes(frame()), 0)).toEqual([TAG]);
    expect(parser.push(bytes(frame('1122334455')), 10)).toEqual(['1122334455']);
    expect(parser.push(bytes(frame()), 20)).toEqual([TAG]);
  });

  it('tells why frames were dropped', () => {
    const reasons: FrameRejection[] = [];
    const parser = new Rdm6300Parser({ onReject: (r) => reasons.push(r) });
    parser.push(bytes(frame(TAG, 0x42)), 0);
    expect(reasons).toContain('bad_checksum');
  });

  it('emits a UID of 5 bytes, valid for SPEC §2 (4 to 10 bytes, upper-case hex)', () => {
    const [uid] = new Rdm6300Parser().push(bytes(frame('abcdef0123')), 0);
    expect(uid).toMatch(/^(?:[0-9A-F]{2}){4,10}$/);
  });
});
