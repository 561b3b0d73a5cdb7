/**
 * Words of the dashboard's refusals that are not about the account (outsider's check after
 * issue #12): a mistyped address, an oversized form, a form sent from another site.
 * errors-en.ts has the same keys; merged by index.ts.
 */
export const errorsFr = {
  formTooLargeTitle: 'Formulaire trop volumineux',
  formTooLargeText:
    'Ce formulaire est trop volumineux pour être reçu (64 Kio au plus). Rien n’a été enregistré : raccourcissez le texte saisi et envoyez-le à nouveau.',
  crossSiteTitle: 'Envoi refusé',
  crossSiteText:
    'Ce formulaire a été refusé car il a été envoyé depuis un autre site que Sésame. Rien n’a été modifié. Rechargez la page depuis Sésame, puis envoyez le formulaire à nouveau.',
  crossSiteReload: 'Ouvrir Sésame',
};
