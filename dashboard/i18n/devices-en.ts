/** English for devices-fr.ts. */
import type { devicesFr } from './devices-fr.ts';

export const devicesEn: typeof devicesFr = {
  deviceName: 'Board',
  deviceIdForController: 'Board id (SESAME_DEVICE_ID)',
  deviceDone: 'Done',
  deviceAlreadyHas: (machine, n) =>
    `${machine} already has ${n === 1 ? 'an active board' : `${n} active boards`}. A second board is only useful to replace one (then revoke the old one) or for a second reader.`,
  deviceAnother: 'Yes, add another board to this machine',
  deviceAnotherNeeded: (machine) =>
    `${machine} already has a board: nothing was created. Tick “Yes, add another board to this machine” if you really want a second one.`,
  deviceAnotherHint: 'Tick only if the chosen machine already has a board and needs a second one.',
};
