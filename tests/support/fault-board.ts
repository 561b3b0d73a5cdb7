/**
 * A board for the fault tests (issue #10): a real mqtt.js client with the device's
 * credentials that keeps every event it publishes until the server acks it on the machine's
 * `ack` topic, and publishes the unacked ones again, as docs/mqtt.md asks of boards. It can
 * move to another broker (a restarted server, another process) and keeps its outbox.
 */
import type { MqttClient } from 'mqtt';
import type { Ack, Decision } from '../../core/mqtt-contract.ts';
import { connectDevice } from './system.ts';

type Kind = 'runtime' | 'end' | 'report' | 'material';

export class FaultBoard {
  client: MqttClient | null = null;
  /** eventId -> what was published, until acked */
  readonly outbox = new Map<string, { kind: Kind; payload: Record<string, unknown> }>();
  readonly acks: Ack[] = [];
  readonly decisions: Decision[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly root: string,
    readonly machineId: string,
    readonly deviceId: string,
    readonly secret: string,
  ) {}

  topic(kind: string): string {
    return `${this.root}/v1/machines/${this.machineId}/${kind}`;
  }

  /** Connects (to `mqttUrl`), subscribes to decisions and acks, and replays what is unacked. */
  async connect(mqttUrl: string): Promise<void> {
    await this.disconnect();
    const client = await connectDevice(mqttUrl, this.deviceId, this.secret, { reconnectPeriod: 500 });
    client.on('message', (topic, payload) => {
      let m: unknown;
      try {
        m = JSON.parse(payload.toString());
      } catch {
        return;
      }
      if (topic === this.topic('ack')) {
        const ack = m as Ack;
        this.acks.push(ack);
        this.outbox.delete(ack.eventId);
      } else if (topic === this.topic('decision')) this.decisions.push(m as Decision);
    });
    await client.subscribeAsync([this.topic('decision'), this.topic('ack')], { qos: 1 });
    this.client = client;
    await this.replay();
    // Resend what stays unacked, as a board does on a timer.
    this.timer = setInterval(() => void this.replay().catch(() => {}), 2000);
  }

  async disconnect(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    await c?.endAsync(true).catch(() => {});
  }

  /** Puts the event in the outbox, then publishes it (QoS 1) when connected; resolves at the broker's PUBACK. */
  async send(kind: Kind, payload: Record<string, unknown>): Promise<string> {
    const eventId = (payload.eventId as string | undefined) ?? crypto.randomUUID();
    const full = { eventId, ...payload, at: payload.at ?? new Date().toISOString() };
    this.outbox.set(eventId, { kind, payload: full });
    await this.client?.publishAsync(this.topic(kind), JSON.stringify(full), { qos: 1 });
    return eventId;
  }

  async replay(): Promise<void> {
    const client = this.client;
    if (client === null || !client.connected) return;
    for (const { kind, payload } of [...this.outbox.values()]) {
      await client.publishAsync(this.topic(kind), JSON.stringify(payload), { qos: 1 });
    }
  }

  /** Publishes a badge request; resolves with its requestId. */
  async badge(uid: string): Promise<string> {
    const requestId = crypto.randomUUID();
    await this.client!.publishAsync(
      this.topic('badge'),
      JSON.stringify({ requestId, badge: uid, at: new Date().toISOString() }),
      { qos: 1 },
    );
    return requestId;
  }

  acked(eventId: string): boolean {
    return this.acks.some((a) => a.eventId === eventId);
  }
}
