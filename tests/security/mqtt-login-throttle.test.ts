/**
 * Issue #9 item 5: the failed-login throttle never refuses a client that presents its right
 * secret because of other clients' failures (SPEC §2). Failures are counted per address +
 * username and slowed down; credential checks are budgeted per address.
 * Real in-process aedes on port 0; raw sockets from several loopback addresses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerOptions } from '../../broker/broker.ts';
import { type Account, startTestBroker, type TestBroker } from '../../broker/test-support.ts';
import { rawLogin } from './mqtt-raw-client.ts';

const device = (deviceId: string, machineId: string): Account => ({
  secret: `${deviceId}-secret`,
  identity: { kind: 'device', deviceId, machineId },
});
const accounts: Record<string, Account> = {
  'dev-laser': device('dev-laser', 'laser'),
  'dev-laser-relay': device('dev-laser-relay', 'laser'),
  'dev-cnc': device('dev-cnc', 'cnc'),
  'dev-door': device('dev-door', 'door'),
};
const HOME = '127.0.0.1';
const ELSEWHERE = '127.0.0.2';

let tb: TestBroker | undefined;
const sockets: { destroy(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await tb?.stop();
  tb = undefined;
});

async function start(extra: Partial<BrokerOptions> = {}) {
  tb = await startTestBroker(accounts, extra);
  return tb;
}

/** One login from `address`; resolves with the CONNACK code (null: closed without one) and its time. */
async function login(username: string, password: string, address = HOME) {
  const t0 = performance.now();
  const { client, returnCode } = await rawLogin(tb!.broker.port, username, password, {
    localAddress: address,
  });
  sockets.push(client);
  return { returnCode, ms: performance.now() - t0 };
}

describe('failed MQTT logins are slowed down, never held against the right secret', () => {
  it('6 wrong passwords for a device name, from its address and another: the genuine board connects at once', async () => {
    await start();
    for (const address of [HOME, ELSEWHERE]) {
      for (let i = 0; i < 5; i++)
        expect((await login('dev-laser', `guess-${i}`, address)).returnCode).toBe(4);
    }
    // A sixth from each, left pending: its refusal is being held back right now.
    const pending = [login('dev-laser', 'guess-5', HOME), login('dev-laser', 'guess-5', ELSEWHERE)];

    const genuine = await login('dev-laser', accounts['dev-laser']!.secret, HOME);
    expect(genuine.returnCode).toBe(0);
    expect(genuine.ms).toBeLessThan(1_500); // the SPEC's 1 s, with room for a busy machine
    const other = await login('dev-laser', accounts['dev-laser']!.secret, ELSEWHERE);
    expect(other.returnCode).toBe(0);

    // The failures themselves were slowed: the sixth waited before its CONNACK 4.
    const sixth = await Promise.all(pending);
    for (const r of sixth) {
      expect(r.returnCode).toBe(4);
      expect(r.ms).toBeGreaterThanOrEqual(900); // 250, 500, then 1000 ms
    }
    expect(tb!.logs).toContainEqual(
      expect.objectContaining({ msg: 'connection refused: bad credentials (refusal delayed 1000 ms)' }),
    );
  });

  it('5 bad logins from one address (a misconfigured board behind a NAT): the other boards there connect', async () => {
    await start();
    for (let i = 0; i < 5; i++) expect((await login('dev-laser-relay', 'old-secret')).returnCode).toBe(4);
    for (const id of ['dev-laser', 'dev-cnc', 'dev-door']) {
      const r = await login(id, accounts[id]!.secret);
      expect(r.returnCode, id).toBe(0);
      expect(r.ms).toBeLessThan(1_500);
    }
  });

  it('a flood of bad logins from one address costs a bounded number of checks, and the right secret still gets in', async () => {
    const checks: number[] = [];
    await start({
      loginLimits: { verifyBurst: 10, verifyPerSecond: 40, maxDelayMs: 500 },
      authenticate: async (user, password) => {
        checks.push(performance.now());
        const a = accounts[user];
        return a && a.secret === password ? a.identity : null;
      },
    });
    const flood = Array.from({ length: 50 }, (_, i) => login(`dev-guess-${i}`, 'x', ELSEWHERE));
    const genuine = login('dev-cnc', accounts['dev-cnc']!.secret, ELSEWHERE);
    const results = await Promise.all(flood);
    expect(results.every((r) => r.returnCode === 4)).toBe(true);
    expect((await genuine).returnCode).toBe(0); // queued behind the flood, never refused
    // 51 checks at 10 at once then 40/s: they cannot all have run in under (51 - 10) / 40 s.
    expect(checks).toHaveLength(51);
    expect(checks.at(-1)! - checks[0]!).toBeGreaterThanOrEqual(((51 - 10) / 40) * 1000 - 50);
    // Another address is not slowed by that flood.
    const home = await login('dev-door', accounts['dev-door']!.secret, HOME);
    expect(home.returnCode).toBe(0);
  });
});
