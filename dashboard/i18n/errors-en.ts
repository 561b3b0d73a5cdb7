/** English for errors-fr.ts. */
import type { errorsFr } from './errors-fr.ts';

export const errorsEn: typeof errorsFr = {
  formTooLargeTitle: 'Form too large',
  formTooLargeText:
    'This form is too large to be received (64 KiB at most). Nothing was saved: shorten what you typed and send it again.',
  crossSiteTitle: 'Submission refused',
  crossSiteText:
    'This form was refused because it was sent from a site other than Sésame. Nothing was changed. Reload the page from Sésame, then submit the form again.',
  crossSiteReload: 'Open Sésame',
};
