/** English for security-fr.ts (issue #12): the same keys. */
import type { securityFr } from './security-fr.ts';

export const securityEn: typeof securityFr = {
  badgeRetired:
    'This card was declared lost or revoked: it can no longer be issued, to anyone. Give the member a new card.',
  qualificationNameTaken: (name) =>
    `A qualification is already called “${name}”: choose another name or edit the existing one.`,
};
