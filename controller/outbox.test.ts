import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';

const entry = (id: string) => ({ id, topic: `t/${id}`, payload: JSON.stringify({ id }) });

describe('Outbox', () => {
  it('keeps unacknowledged events across a crash (no close), in order', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-outbox-'));
    const a = new Outbox(dir);
    expect(a.open()).toEqual([]);
    a.append(entry('1'));
    a.append(entry('2'));
    a.append(entry('3'));
    a.ack('2');
    // no close(): the process died here
    const b = new Outbox(dir);
    expect(b.open().map((e) => e.id)).toEqual(['1', '3']);
  });

  it('compacts the file once everything is acknowledged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-outbox-'));
    const o = new Outbox(dir);
    o.open();
    o.append(entry('1'));
    o.ack('1');
    expect(readFileSync(path.join(dir, 'outbox.jsonl'), 'utf8')).toBe('');
    o.close();
  });

  it('skips a line torn by a power cut', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-outbox-'));
    const o = new Outbox(dir);
    o.open();
    o.append(entry('1'));
    appendFileSync(path.join(dir, 'outbox.jsonl'), '{"op":"add","id":"2","top');
    const again = new Outbox(dir);
    expect(again.open().map((e) => e.id)).toEqual(['1']);
    again.append(entry('3'));
    expect(new Outbox(dir).open().map((e) => e.id)).toEqual(['1', '3']);
  });
});

describe('Outbox bound', () => {
  const event = (id: string, kind: string, sessionId: string) => ({
    id,
    topic: `fablab/v1/machines/m/${kind}`,
    payload: JSON.stringify({ eventId: id, sessionId }),
  });

  it('drops the oldest superseded runtime first, then the oldest event; never refuses the new one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-outbox-'));
    const o = new Outbox(dir, { maxEntries: 3 });
    o.open();
    expect(o.append(event('r1', 'runtime', 's-1'))).toEqual([]);
    expect(o.append(event('rep', 'report', ''))).toEqual([]);
    expect(o.append(event('r2', 'runtime', 's-1'))).toEqual([]);
    // Full: r1 is superseded by r2 (same session, later): it goes.
    expect(o.append(event('e1', 'end', 's-1')).map((d) => [d.entry.id, d.why])).toEqual([
      ['r1', 'superseded'],
    ]);
    // r2 is superseded by e1.
    expect(o.append(event('r3', 'runtime', 's-2')).map((d) => [d.entry.id, d.why])).toEqual([
      ['r2', 'superseded'],
    ]);
    // Nothing superseded any more: the oldest goes.
    expect(o.append(event('m1', 'material', 's-2')).map((d) => [d.entry.id, d.why])).toEqual([
      ['rep', 'full'],
    ]);
    o.close();
    expect(new Outbox(dir).open().map((e) => e.id)).toEqual(['e1', 'r3', 'm1']);
  });
});
