import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configPathFrom, loadConfig, parseConfig } from './config.ts';
import { makeKeys } from './test-helpers.ts';

const base = { mqttUrl: 'mqtt://localhost:1883', deviceId: 'd-1', secret: 's3cret', machineId: 'laser-1' };

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('controller config', () => {
  it('applies the defaults', () => {
    expect(parseConfig(base)).toMatchObject({
      topicRoot: 'fablab',
      relay: { pin: 13, type: 'NO' },
      runningInput: 'none',
      reader: 'keyboard',
      decisionTimeoutMs: 1500,
      heartbeatSeconds: 30,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['missing mqttUrl', { ...base, mqttUrl: undefined }, /^config: mqttUrl: is required$/],
    [
      'bad URL scheme',
      { ...base, mqttUrl: 'http://x' },
      /^config: mqttUrl: must be an mqtt:\/\/ or tcp:\/\/ URL$/,
    ],
    ['bad machine id', { ...base, machineId: 'Laser 1' }, /^config: machineId: /],
    ['relay type', { ...base, relay: { pin: 13, type: 'XX' } }, /^config: relay\.type: /],
    ['relay pin', { ...base, relay: { pin: -1 } }, /^config: relay\.pin: /],
    ['topic root with a slash', { ...base, topicRoot: 'a/b' }, /^config: topicRoot: must be one topic level/],
    ['running input', { ...base, runningInput: { analog: 0 } }, /^config: runningInput: /],
    ['reader', { ...base, reader: { serial: '/dev/ttyUSB0', baud: 115200 } }, /^config: reader: /],
    ['heartbeat', { ...base, heartbeatSeconds: 0 }, /^config: heartbeatSeconds: /],
    [
      'public key',
      { ...base, allowListPublicKey: 'not a key' },
      /^config: allowListPublicKey: must be the PEM of an Ed25519/,
    ],
    ['unknown field', { ...base, colour: 'red' }, /^config: \(root\): .*\(colour\)$/],
  ])('refuses %s with one line naming the field', (_name, raw, expected) => {
    const message = configError(() => parseConfig(raw));
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('accepts an Ed25519 public key, digital and analog running inputs, a serial reader', () => {
    const { publicKeyPem } = makeKeys();
    const c = parseConfig({
      ...base,
      allowListPublicKey: publicKeyPem,
      runningInput: { analog: 0, threshold: 300 },
      reader: { serial: '/dev/ttyUSB0' },
    });
    expect(c.reader).toEqual({ serial: '/dev/ttyUSB0', baud: 9600 });
    expect(parseConfig({ ...base, runningInput: { digital: 7 } }).runningInput).toEqual({ digital: 7 });
  });

  it('merges the file with SESAME_* variables, which win, and names the variable in errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-config-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...base, relay: { type: 'NC' } }));
    const c = loadConfig({
      configPath: file,
      env: {
        SESAME_MACHINE_ID: 'cnc-2',
        SESAME_RELAY_PIN: '8',
        SESAME_RUNNING_INPUT: 'analog:1:400',
        SESAME_READER: 'serial:/dev/ttyS0',
      },
    });
    expect(c.machineId).toBe('cnc-2');
    expect(c.relay).toEqual({ pin: 8, type: 'NC' });
    expect(c.runningInput).toEqual({ analog: 1, threshold: 400 });
    expect(c.reader).toEqual({ serial: '/dev/ttyS0', baud: 9600 });
    expect(configError(() => loadConfig({ configPath: file, env: { SESAME_RELAY_PIN: 'x' } }))).toMatch(
      /^config: relay\.pin \(SESAME_RELAY_PIN\): /,
    );
  });

  it('reports an unreadable or invalid file in one line', () => {
    expect(configError(() => loadConfig({ configPath: '/nonexistent/c.json' }))).toMatch(
      /^config: cannot read/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sesame-config-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(configError(() => loadConfig({ configPath: file }))).toMatch(/^config: .*is not valid JSON/);
  });

  it('finds the config path in argv or SESAME_CONTROLLER_CONFIG', () => {
    expect(configPathFrom(['--config', 'a.json'], {})).toBe('a.json');
    expect(configPathFrom(['--config=b.json'], {})).toBe('b.json');
    expect(configPathFrom([], { SESAME_CONTROLLER_CONFIG: 'c.json' })).toBe('c.json');
    expect(configPathFrom([], {})).toBeUndefined();
  });
});

describe('controller config: lab practices (issue #6)', () => {
  it('accepts the mode and report buttons and the warning output, from the file or SESAME_* pins', () => {
    const c = parseConfig({
      ...base,
      modeButton: { pin: 2 },
      reportButton: { pin: 3, activeLow: true },
      warningOutput: { pin: 5 },
    });
    expect(c.modeButton).toEqual({ pin: 2, activeLow: false });
    expect(c.reportButton).toEqual({ pin: 3, activeLow: true });
    expect(c.warningOutput).toEqual({ pin: 5 });
    const fromEnv = loadConfig({
      env: {
        SESAME_MQTT_URL: base.mqttUrl,
        SESAME_DEVICE_ID: 'd',
        SESAME_DEVICE_SECRET: 's',
        SESAME_MACHINE_ID: 'laser-1',
        SESAME_MODE_BUTTON_PIN: '2',
        SESAME_REPORT_BUTTON_PIN: '3',
        SESAME_WARNING_PIN: '4',
      },
    });
    expect(fromEnv).toMatchObject({
      modeButton: { pin: 2 },
      reportButton: { pin: 3 },
      warningOutput: { pin: 4 },
    });
    expect(parseConfig(base).modeButton).toBeUndefined();
  });

  it('refuses one pin for two jobs, naming both', () => {
    expect(configError(() => parseConfig({ ...base, reportButton: { pin: 13 } }))).toBe(
      'config: reportButton.pin: pin 13 is already relay.pin',
    );
    expect(
      configError(() => parseConfig({ ...base, runningInput: { digital: 7 }, warningOutput: { pin: 7 } })),
    ).toMatch(/^config: warningOutput\.pin: pin 7 is already runningInput\.digital$/);
    expect(
      configError(() =>
        loadConfig({
          env: {
            SESAME_MQTT_URL: base.mqttUrl,
            SESAME_DEVICE_ID: 'd',
            SESAME_DEVICE_SECRET: 's',
            SESAME_MACHINE_ID: 'laser-1',
            SESAME_MODE_BUTTON_PIN: 'x',
          },
        }),
      ),
    ).toMatch(/^config: modeButton\.pin \(SESAME_MODE_BUTTON_PIN\): /);
  });
});
