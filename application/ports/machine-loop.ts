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

/** Live machine changes for the dashboard (sessions opened, metered, closed; status). */
export interface MachineEvents {
  /** calls `listener` with a machine id whenever that machine's state may have changed */
  subscribe(listener: (machineId: string) => void): () => void;
}

export const noMachineEvents: MachineEvents = { subscribe: () => () => {} };
