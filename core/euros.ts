/** Amounts typed by people ("12,50", "12.5 €", "-3") as integer cents; null if not an amount. */
export function parseEuros(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0€]/g, '').replace(',', '.');
  if (!/^-?\d{1,7}(\.\d{1,2})?$/.test(s)) return null;
  const [units, decimals = ''] = s.replace('-', '').split('.');
  const cents = Number(units) * 100 + Number(decimals.padEnd(2, '0'));
  return s.startsWith('-') ? -cents : cents;
}
