/**
 * What `npm run demo` listens on and signs in with (security check of 1 Dec 2026, issue #12):
 * the admin API token is new at every run unless BOOTSTRAP_ADMIN_TOKEN is set, and the demo
 * listens on the loopback interface only unless HOST / MQTT_HOST say otherwise, so that the
 * printed credentials do not open a lab to the local network.
 */
import { randomBytes } from 'node:crypto';

export interface DemoSettings {
  adminToken: string;
  host: string;
  mqttHost: string;
}

export function demoSettings(
  env: Record<string, string | undefined>,
  random: (bytes: number) => string = (n) => randomBytes(n).toString('hex'),
): DemoSettings {
  const given = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return {
    adminToken: given(env.BOOTSTRAP_ADMIN_TOKEN) ?? `demo-${random(16)}`,
    host: given(env.HOST) ?? '127.0.0.1',
    mqttHost: given(env.MQTT_HOST) ?? '127.0.0.1',
  };
}
