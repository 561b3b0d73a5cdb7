/**
 * Words of the security fixes of 1 Dec 2026 (issue #12): a lost or revoked card is never
 * issued again; a qualification's name is unique. security-en.ts has the same keys.
 */
export const securityFr = {
  badgeRetired:
    'Cette carte a été déclarée perdue ou révoquée : elle ne peut plus être remise, à personne. Remettez une carte neuve.',
  qualificationNameTaken: (name: string) =>
    `Une qualification s’appelle déjà « ${name} » : choisissez un autre nom ou modifiez l’existante.`,
};
