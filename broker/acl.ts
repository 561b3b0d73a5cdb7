/**
 * The broker's access rules (SPEC §2 "Device identity"), as pure functions: the aedes hooks in
 * `broker.ts` are thin adapters around them. Deny by default: every rule below lists what is
 * allowed, and anything it does not list is refused.
 */
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, parseMachineTopic } from '../core/mqtt-contract.ts';

/** Who a connection is, once its credentials have been checked. */
export type BrokerIdentity =
  | { kind: 'device'; deviceId: string; machineId: string }
  | { kind: 'server'; name: string };

export const MAX_CLIENT_ID_LENGTH = 64;
/** Our deepest topic is `{root}/v1/machines/{m}/{kind}` (5 levels); leave some room, refuse the rest. */
export const MAX_TOPIC_LEVELS = 8;

// C0 controls, DEL and C1 controls. U+0000 is forbidden in any MQTT string [MQTT-1.5.3-2].
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A client id we accept: 1..64 characters, no topic separators or wildcards (client ids end up
 * in topics and logs), no control characters.
 */
export function isValidClientId(id: string): boolean {
  return (
    id.length > 0 &&
    id.length <= MAX_CLIENT_ID_LENGTH &&
    !id.includes('+') &&
    !id.includes('#') &&
    !id.includes('/') &&
    !CONTROL_CHARS.test(id)
  );
}

/** A topic root is one plain topic level (`fablab`): `parseMachineTopic` relies on it. */
export function isValidTopicRoot(root: string): boolean {
  return isValidClientId(root) && !root.startsWith('$');
}

function levelCount(topic: string): number {
  return topic.split('/').length;
}

/** Checks shared by publish and subscribe: never `$...` (`$SYS/` is the broker's), sane depth. */
function baseTopicOk(topic: string): boolean {
  return (
    topic.length > 0 &&
    !topic.startsWith('$') &&
    levelCount(topic) <= MAX_TOPIC_LEVELS &&
    !topic.includes('\u0000')
  );
}

/** `{root}/v1/` followed by at least one character: the server's whole namespace. */
function underServerNamespace(topic: string, root: string): boolean {
  const prefix = `${root}/v1/`;
  return topic.length > prefix.length && topic.startsWith(prefix);
}

/** MQTT wildcard syntax: `+` fills a whole level, `#` is a whole last level [MQTT-4.7.1-2/3]. */
function wildcardsWellFormed(filter: string): boolean {
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}

export function canPublish(identity: BrokerIdentity, topic: string, root: string): boolean {
  if (!baseTopicOk(topic) || topic.includes('+') || topic.includes('#')) return false;
  switch (identity.kind) {
    case 'device': {
      const parsed = parseMachineTopic(root, topic);
      return (
        parsed !== null && parsed.machineId === identity.machineId && DEVICE_PUBLISHES.includes(parsed.kind)
      );
    }
    case 'server':
      return underServerNamespace(topic, root);
    default:
      return assertNever(identity);
  }
}

export function canSubscribe(identity: BrokerIdentity, topicFilter: string, root: string): boolean {
  if (!baseTopicOk(topicFilter)) return false;
  switch (identity.kind) {
    case 'device': {
      // Exact topics only: parseMachineTopic refuses `+`/`#` (they match neither the machine-id
      // pattern nor a topic kind), so no wildcard check is needed here.
      const parsed = parseMachineTopic(root, topicFilter);
      return (
        parsed !== null && parsed.machineId === identity.machineId && DEVICE_SUBSCRIBES.includes(parsed.kind)
      );
    }
    case 'server':
      return underServerNamespace(topicFilter, root) && wildcardsWellFormed(topicFilter);
    default:
      return assertNever(identity);
  }
}

/**
 * A will aedes publishes with no live client (`client === null`): the will of a client whose
 * broker died, replayed from shared persistence. Its owner cannot be known any more; its topic
 * was already checked against the owner's identity when it connected (broker.ts refuses a CONNECT
 * whose will topic its identity may not publish), so only the server-namespace bound is re-checked.
 */
export function canPublishOrphanWill(topic: string, root: string): boolean {
  return canPublish({ kind: 'server', name: '(orphan will)' }, topic, root);
}

function assertNever(value: never): never {
  throw new Error(`unexpected identity: ${JSON.stringify(value)}`);
}
