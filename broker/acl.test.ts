import { describe, expect, it } from 'vitest';
import {
  type BrokerIdentity,
  canPublish,
  canPublishOrphanWill,
  canSubscribe,
  isValidClientId,
  isValidTopicRoot,
} from './acl.ts';

const ROOT = 'fablab';
const laserReader: BrokerIdentity = { kind: 'device', deviceId: 'dev-1', machineId: 'laser' };
const server: BrokerIdentity = { kind: 'server', name: 'api' };
const t = (machine: string, kind: string) => `${ROOT}/v1/machines/${machine}/${kind}`;

describe('isValidClientId', () => {
  it.each([
    ['dev-1', true],
    ['a', true],
    ['x'.repeat(64), true],
    ['Dévice_1.2', true],
    ['', false],
    ['x'.repeat(65), false],
    ['dev+1', false],
    ['dev#1', false],
    ['dev/1', false],
    ['dev\u00001', false],
    ['dev\n1', false],
    ['dev\u007f', false],
    ['dev\u009b', false],
  ])('%j -> %s', (id, expected) => {
    expect(isValidClientId(id)).toBe(expected);
  });
});

describe('isValidTopicRoot', () => {
  it.each([
    ['fablab', true],
    ['t-1234', true],
    ['', false],
    ['a/b', false],
    ['+', false],
    ['$SYS', false],
  ])('%j -> %s', (root, expected) => {
    expect(isValidTopicRoot(root)).toBe(expected);
  });
});

describe('canPublish: device', () => {
  it.each([
    [t('laser', 'badge'), true],
    [t('laser', 'runtime'), true],
    [t('laser', 'end'), true],
    [t('laser', 'status'), true],
    // server -> device topics
    [t('laser', 'decision'), false],
    [t('laser', 'command'), false],
    [t('laser', 'allowlist'), false],
    // another machine
    [t('cnc', 'badge'), false],
    [t('cnc', 'status'), false],
    // wildcards, other roots, other shapes
    [t('+', 'badge'), false],
    [`${ROOT}/v1/machines/laser/#`, false],
    [`other/v1/machines/laser/badge`, false],
    [`${ROOT}/v2/machines/laser/badge`, false],
    [`${ROOT}/v1/machines/laser/badge/extra`, false],
    [`${ROOT}/v1/machines/laser`, false],
    [`${ROOT}/v1/machines/Laser/badge`, false],
    [`${ROOT}/v1/members/laser/badge`, false],
    ['$SYS/broker/x', false],
    ['$SYS', false],
    ['', false],
  ])('%j -> %s', (topic, expected) => {
    expect(canPublish(laserReader, topic, ROOT)).toBe(expected);
  });
});

describe('canSubscribe: device', () => {
  it.each([
    [t('laser', 'decision'), true],
    [t('laser', 'command'), true],
    [t('laser', 'allowlist'), true],
    // device -> server topics
    [t('laser', 'badge'), false],
    [t('laser', 'status'), false],
    // another machine
    [t('cnc', 'decision'), false],
    // no wildcards at all for devices
    ['#', false],
    ['+/v1/machines/laser/decision', false],
    [`${ROOT}/#`, false],
    [`${ROOT}/v1/machines/+/decision`, false],
    [`${ROOT}/v1/machines/laser/+`, false],
    [`${ROOT}/v1/machines/laser/#`, false],
    ['$SYS/#', false],
    ['', false],
  ])('%j -> %s', (filter, expected) => {
    expect(canSubscribe(laserReader, filter, ROOT)).toBe(expected);
  });
});

describe('canPublish: server', () => {
  it.each([
    [t('laser', 'decision'), true],
    [t('laser', 'badge'), true],
    [`${ROOT}/v1/anything/else`, true],
    [`${ROOT}/v1/x`, true],
    [`${ROOT}/v1/`, false],
    [`${ROOT}/v1`, false],
    [`${ROOT}/v2/x`, false],
    [`${ROOT}/x`, false],
    ['other/v1/x', false],
    [`${ROOT}/v1/+/x`, false],
    [`${ROOT}/v1/#`, false],
    ['$SYS/x', false],
  ])('%j -> %s', (topic, expected) => {
    expect(canPublish(server, topic, ROOT)).toBe(expected);
  });

  it('allows up to 8 topic levels and refuses 9', () => {
    expect(canPublish(server, `${ROOT}/v1/a/b/c/d/e/f`, ROOT)).toBe(true);
    expect(canPublish(server, `${ROOT}/v1/a/b/c/d/e/f/g`, ROOT)).toBe(false);
  });
});

describe('canSubscribe: server', () => {
  it.each([
    [`${ROOT}/v1/machines/+/badge`, true],
    [`${ROOT}/v1/machines/+/+`, true],
    [`${ROOT}/v1/#`, true],
    [`${ROOT}/v1/machines/laser/status`, true],
    [`${ROOT}/v1/machines/#`, true],
    [`${ROOT}/#`, false],
    ['#', false],
    ['+/v1/machines/+/badge', false],
    [`${ROOT}/+/machines/+/badge`, false],
    [`${ROOT}/v1/machines/la+/badge`, false],
    [`${ROOT}/v1/machines/#/badge`, false],
    [`${ROOT}/v1/machines/x#`, false],
    ['$SYS/#', false],
    ['$share/g/fablab/v1/#', false],
    [`${ROOT}/v1/a/b/c/d/e/f/g`, false],
  ])('%j -> %s', (filter, expected) => {
    expect(canSubscribe(server, filter, ROOT)).toBe(expected);
  });
});

describe('canPublishOrphanWill', () => {
  it.each([
    [t('laser', 'status'), true],
    [`${ROOT}/v1/servers/api/status`, true],
    ['$SYS/x', false],
    ['other/v1/machines/laser/status', false],
  ])('%j -> %s', (topic, expected) => {
    expect(canPublishOrphanWill(topic, ROOT)).toBe(expected);
  });
});
