/**
 * The machine loop on an external broker (MQTT_URL): the machine's own Mosquitto on
 * 127.0.0.1:1883. Skipped, with a note, where no Mosquitto runs (a fresh laptop); CI has one.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, createMember } from './support/lab.ts';
import { connectDevice, nextMessage, startSystem, type TestSystem } from './support/system.ts';

const MOSQUITTO = process.env.SESAME_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 1883), hostname);
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const available = await reachable(MOSQUITTO);
if (!available) console.warn(`external-broker tests skipped: no MQTT broker at ${MOSQUITTO}`);

describe.runIf(available)('the authorizer on an external Mosquitto', () => {
  let sys: TestSystem;
  const root = `sesame-test-${Math.random().toString(36).slice(2, 10)}`;
  const T = (m: string, kind: string) => `${root}/v1/machines/${m}/${kind}`;

  beforeAll(async () => {
    sys = await startSystem({ env: { MQTT_URL: MOSQUITTO, TOPIC_ROOT: root } });
  });
  afterAll(async () => sys?.stop());

  it('answers a badge and bills the session through Mosquitto', async () => {
    expect(sys.server.broker).toBeNull();
    const device = await createMachine(sys, 'laser-x', { pricePerMinuteCents: 50, minimumChargeCents: 100 });
    const m = await createMember(sys, { creditCents: 1000 });
    // Mosquitto's own ACL is the operator's business; here it lets anyone in on loopback.
    const dev = await connectDevice(MOSQUITTO, device.deviceId, device.secret);
    await dev.subscribeAsync(T('laser-x', 'decision'), { qos: 1 });
    const requestId = crypto.randomUUID();
    const reply = nextMessage(dev, T('laser-x', 'decision'), (d: any) => d.requestId === requestId);
    await dev.publishAsync(
      T('laser-x', 'badge'),
      JSON.stringify({ requestId, badge: m.uid, at: new Date().toISOString() }),
      { qos: 1 },
    );
    const d = await reply;
    expect(d).toMatchObject({ granted: true, reason: 'granted' });
    await dev.publishAsync(
      T('laser-x', 'end'),
      JSON.stringify({
        eventId: crypto.randomUUID(),
        sessionId: d.sessionId,
        runningSeconds: 125,
        reason: 'badge_out',
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    const deadline = Date.now() + 30_000;
    let balance = 0;
    while (Date.now() < deadline) {
      balance = (await sys.api('GET', `/members/${m.id}`)).body.balanceCents;
      if (balance === 850) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(balance).toBe(850);
    // The signed allow-list is retained on the external broker too: clear it.
    await dev.publishAsync(T('laser-x', 'allowlist'), '', { qos: 1, retain: true }).catch(() => {});
    await dev.endAsync();
  });
});
