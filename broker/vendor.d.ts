// aedes-persistence-redis ships no types. Its main export wraps the async implementation in
// aedes-persistence's CallBackPersistence: without a callback every method returns the async
// result, and the streams aedes 1.x pipes from (retained, outgoing) become Node Readables,
// which the bare async class (asyncPersistence.js) does not provide.
declare module 'aedes-persistence-redis' {
  export interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
  export default function aedesPersistenceRedis(opts?: {
    /** an existing ioredis connection; destroy() disconnects it */
    conn?: unknown;
    maxSessionDelivery?: number;
    packetTTL?: (packet: unknown) => number;
  }): RedisPersistence;
}
