/**
 * What the HTTP API needs from the machine loop (the MQTT authorizer), as an interface so
 * the API can be tested without a broker and the loop can live in another process.
 */
export interface MachineLoopPort {
  /**
   * Something changed that affects who may use which machine offline (members, badges,
   * certifications, balances, machines): the loop republishes the affected allow-lists.
   * Fire and forget. Omitted ids mean "all".
   */
  changed(scope: { machineIds?: string[]; memberIds?: string[] }): void;
  /** Asks the machine's board to open its relay and end the session (SPEC §2 `command` lock). */
  lock(machineId: string, reason: string, sessionId?: string): Promise<void>;
}

/** A port that does nothing: for API tests and processes without a machine loop. */
export const noMachineLoop: MachineLoopPort = {
  changed: () => {},
  lock: async () => {},
};
