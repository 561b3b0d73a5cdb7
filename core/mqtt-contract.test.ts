import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowListSchema,
  badgeRequestSchema,
  commandSchema,
  DECISION_REASONS,
  DEVICE_PUBLISHES,
  DEVICE_SUBSCRIBES,
  decisionSchema,
  END_REASONS,
  endEventSchema,
  machineTopic,
  parseMachineTopic,
  runtimeEventSchema,
  statusSchema,
  TOPIC_KINDS,
} from './mqtt-contract.ts';

const ROOT = 'fablab';
const UUID = '3f1c2b9e-8d7a-4c5b-9e2f-1a2b3c4d5e6f';
const UUID2 = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const AT = '2025-06-01T12:00:00Z';

describe('topics', () => {
  it.each(TOPIC_KINDS)('%s: build then parse gives the machine and kind back', (kind) => {
    const topic = machineTopic(ROOT, 'laser-1', kind);
    expect(topic).toBe(`fablab/v1/machines/laser-1/${kind}`);
    expect(parseMachineTopic(ROOT, topic)).toEqual({ machineId: 'laser-1', kind });
  });

  it('round-trips any valid machine id and kind', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/),
        fc.constantFrom(...TOPIC_KINDS),
        (machineId, kind) => {
          expect(parseMachineTopic(ROOT, machineTopic(ROOT, machineId, kind))).toEqual({ machineId, kind });
        },
      ),
    );
  });

  it.each([
    { topic: 'other/v1/machines/laser-1/badge', why: 'wrong root' },
    { topic: 'fablab2/v1/machines/laser-1/badge', why: 'a root with the right prefix' },
    { topic: 'fablab/v2/machines/laser-1/badge', why: 'wrong version' },
    { topic: 'fablab/v1/machine/laser-1/badge', why: 'wrong collection' },
    { topic: 'fablab/v1/machines/laser-1/badge/extra', why: 'an extra level' },
    { topic: 'fablab/v1/machines/laser-1/badge/', why: 'a trailing slash' },
    { topic: '/fablab/v1/machines/laser-1/badge', why: 'a leading slash' },
    { topic: 'fablab/v1/machines/laser-1', why: 'a missing kind' },
    { topic: 'fablab/v1/machines//badge', why: 'an empty machine id' },
    { topic: 'fablab/v1/machines/Laser-1/badge', why: 'an upper-case machine id' },
    { topic: 'fablab/v1/machines/-laser/badge', why: 'a machine id starting with a dash' },
    { topic: 'fablab/v1/machines/+/badge', why: 'a wildcard as machine id' },
    { topic: 'fablab/v1/machines/#', why: 'a multi-level wildcard' },
    { topic: `fablab/v1/machines/a${'b'.repeat(64)}/badge`, why: 'a machine id of 65 characters' },
    { topic: 'fablab/v1/machines/laser-1/reboot', why: 'an unknown kind' },
    { topic: 'fablab/v1/machines/laser-1/Badge', why: 'a kind in the wrong case' },
    { topic: 'fablab/v1/machines/laser-1/toString', why: 'an Object.prototype name as kind' },
    { topic: '', why: 'an empty topic' },
  ])('refuses $why: $topic', ({ topic }) => {
    expect(parseMachineTopic(ROOT, topic)).toBeNull();
  });

  it('the device directions partition the kinds (allowlist and decision are server → device)', () => {
    expect([...DEVICE_PUBLISHES, ...DEVICE_SUBSCRIBES].sort()).toEqual([...TOPIC_KINDS].sort());
    for (const k of DEVICE_PUBLISHES) expect(DEVICE_SUBSCRIBES).not.toContain(k);
  });
});

describe('badge request (device → server, strict)', () => {
  const example = { requestId: UUID, badge: '04A3B2C1', at: AT };

  it('accepts the SPEC example', () => {
    expect(badgeRequestSchema.parse(example)).toEqual(example);
  });

  it('normalises a lower-case badge and accepts an offset date', () => {
    expect(
      badgeRequestSchema.parse({ ...example, badge: '04a3b2c1', at: '2025-06-01T14:00:00.123+02:00' }),
    ).toEqual({ ...example, badge: '04A3B2C1', at: '2025-06-01T14:00:00.123+02:00' });
  });

  it.each([
    { why: 'an unknown field', body: { ...example, extra: 1 } },
    { why: 'a bad uuid', body: { ...example, requestId: 'not-a-uuid' } },
    { why: 'a uuid without dashes', body: { ...example, requestId: UUID.replaceAll('-', '') } },
    { why: 'a bad UID', body: { ...example, badge: '04A3B2' } },
    { why: 'a date without time', body: { ...example, at: '2025-06-01' } },
    { why: 'a date in another format', body: { ...example, at: 'Sun, 01 Jun 2025 12:00:00 GMT' } },
    { why: 'a missing requestId', body: { badge: '04A3B2C1', at: AT } },
    { why: 'a missing badge', body: { requestId: UUID, at: AT } },
  ])('refuses $why', ({ body }) => {
    expect(badgeRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('runtime event (device → server, strict)', () => {
  const example = { eventId: UUID, sessionId: 'sess-1', seq: 3, runningSeconds: 90, at: AT };

  it('accepts the SPEC example', () => {
    expect(runtimeEventSchema.parse(example)).toEqual(example);
  });

  it('accepts the offline extension (badge normalised, start time)', () => {
    const off = { ...example, sessionId: 'off-1', badge: '04a3b2c1', startedAt: AT };
    expect(runtimeEventSchema.parse(off)).toEqual({ ...off, badge: '04A3B2C1' });
  });

  it('accepts 0 seconds and seq 0', () => {
    expect(runtimeEventSchema.safeParse({ ...example, seq: 0, runningSeconds: 0 }).success).toBe(true);
  });

  it.each([
    { why: 'an unknown field', body: { ...example, extra: true } },
    { why: 'negative seconds', body: { ...example, runningSeconds: -1 } },
    { why: 'fractional seconds', body: { ...example, runningSeconds: 1.5 } },
    { why: 'seconds as a string', body: { ...example, runningSeconds: '90' } },
    { why: 'more than a year of seconds', body: { ...example, runningSeconds: 366 * 24 * 3600 + 1 } },
    { why: 'a negative seq', body: { ...example, seq: -1 } },
    { why: 'a bad uuid', body: { ...example, eventId: 'x' } },
    { why: 'an empty sessionId', body: { ...example, sessionId: '' } },
    { why: 'a sessionId over 64 characters', body: { ...example, sessionId: 's'.repeat(65) } },
    { why: 'a bad offline badge', body: { ...example, badge: 'zz' } },
    { why: 'a missing seq', body: { eventId: UUID, sessionId: 'sess-1', runningSeconds: 90, at: AT } },
  ])('refuses $why', ({ body }) => {
    expect(runtimeEventSchema.safeParse(body).success).toBe(false);
  });
});

describe('end event (device → server, strict)', () => {
  const example = { eventId: UUID2, sessionId: 'sess-1', runningSeconds: 125, reason: 'badge_out', at: AT };

  it.each(END_REASONS)('accepts reason %s', (reason) => {
    expect(endEventSchema.parse({ ...example, reason })).toEqual({ ...example, reason });
  });

  it.each([
    { why: 'an unknown field', body: { ...example, seq: 4 } },
    { why: 'an unknown reason', body: { ...example, reason: 'bored' } },
    { why: 'negative seconds', body: { ...example, runningSeconds: -10 } },
    { why: 'a bad uuid', body: { ...example, eventId: `${UUID2}0` } },
    { why: 'a missing reason', body: { eventId: UUID2, sessionId: 'sess-1', runningSeconds: 125, at: AT } },
  ])('refuses $why', ({ body }) => {
    expect(endEventSchema.safeParse(body).success).toBe(false);
  });
});

describe('status (device → server, retained will)', () => {
  it.each([
    { online: true, relay: 'on', sessionId: 'sess-1' },
    { online: false, relay: 'off' },
  ])('accepts %j', (body) => {
    expect(statusSchema.parse(body)).toEqual(body);
  });

  it('is not strict: unknown fields pass through (firmware may add diagnostics)', () => {
    expect(statusSchema.parse({ online: true, relay: 'on', rssi: -60 })).toEqual({
      online: true,
      relay: 'on',
      rssi: -60,
    });
  });

  it.each([{ online: 'yes', relay: 'on' }, { online: true, relay: 'half' }, { relay: 'off' }])(
    'refuses %j',
    (body) => {
      expect(statusSchema.safeParse(body).success).toBe(false);
    },
  );
});

describe('decision (server → device)', () => {
  it('accepts a grant as in the SPEC', () => {
    const grant = {
      requestId: UUID,
      granted: true,
      reason: 'granted',
      sessionId: 'sess-1',
      member: { name: 'Ada' },
      balanceCents: 1000,
      maxSeconds: 1200,
    };
    expect(decisionSchema.parse(grant)).toEqual(grant);
  });

  it.each(DECISION_REASONS)('accepts reason %s', (reason) => {
    expect(decisionSchema.safeParse({ requestId: UUID, granted: reason === 'granted', reason }).success).toBe(
      true,
    );
  });

  it('accepts a null requestId (an unreadable invalid_request)', () => {
    expect(
      decisionSchema.safeParse({ requestId: null, granted: false, reason: 'invalid_request' }).success,
    ).toBe(true);
  });

  it.each([
    { why: 'an unknown reason', body: { requestId: UUID, granted: false, reason: 'nope' } },
    {
      why: 'negative maxSeconds',
      body: { requestId: UUID, granted: true, reason: 'granted', maxSeconds: -1 },
    },
    {
      why: 'fractional balance',
      body: { requestId: UUID, granted: true, reason: 'granted', balanceCents: 1.5 },
    },
    { why: 'a missing granted', body: { requestId: UUID, reason: 'granted' } },
  ])('refuses $why', ({ body }) => {
    expect(decisionSchema.safeParse(body).success).toBe(false);
  });
});

describe('command (server → device)', () => {
  const example = { commandId: UUID, action: 'lock', reason: 'balance_exhausted', sessionId: 'sess-1' };

  it('accepts the SPEC example, with or without sessionId and grace', () => {
    expect(commandSchema.parse(example)).toEqual(example);
    expect(commandSchema.safeParse({ commandId: UUID, action: 'lock', reason: 'operator' }).success).toBe(
      true,
    );
    expect(commandSchema.safeParse({ ...example, graceSeconds: 30 }).success).toBe(true);
  });

  it.each([
    { why: 'another action', body: { ...example, action: 'unlock' } },
    { why: 'a bad uuid', body: { ...example, commandId: '123' } },
    { why: 'negative grace', body: { ...example, graceSeconds: -1 } },
  ])('refuses $why', ({ body }) => {
    expect(commandSchema.safeParse(body).success).toBe(false);
  });
});

describe('allow-list (server → device, signed)', () => {
  const body = {
    version: 1,
    machineId: 'laser-1',
    issuedAt: AT,
    validUntil: '2025-06-02T12:00:00Z',
    maxOfflineSessionSeconds: 3600,
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    salt: 'ab12',
    entries: [
      { badge: 'deadbeef', name: 'Ada', until: '2025-12-31T00:00:00Z', creditCents: 1000 },
      { badge: 'cafe', name: 'Bob', until: '2025-12-31T00:00:00Z', creditCents: null },
    ],
  };

  it('accepts a well-formed list', () => {
    const list = { body, signature: 'c2ln', keyId: '0123456789abcdef' };
    expect(allowListSchema.parse(list)).toEqual(list);
  });

  it.each([
    { why: 'another version', patch: { version: 2 } },
    { why: 'a bad machine id', patch: { machineId: 'Laser 1' } },
    { why: 'a zero session limit', patch: { maxOfflineSessionSeconds: 0 } },
    { why: 'a negative price', patch: { pricePerMinuteCents: -1 } },
  ])('refuses $why', ({ patch }) => {
    expect(
      allowListSchema.safeParse({ body: { ...body, ...patch }, signature: 's', keyId: 'k' }).success,
    ).toBe(false);
  });
});
