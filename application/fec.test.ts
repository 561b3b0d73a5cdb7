import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineKind } from '../core/domain.ts';
import type { Db } from '../db/client.ts';
import { testDatabase } from '../tests/support/db.ts';
import { memberNo, sessionRef, UUID } from '../tests/support/fec-checks.ts';
import {
  adjustment,
  insertMachine,
  insertMember,
  insertSession,
  refund,
  reversal,
  topup,
  usage,
} from '../tests/support/ledger-fixtures.ts';
import { clean, FecOptionsError, fecColumns, fecExport, formatAmount } from './fec.ts';
import { parseReportRange } from './report-range.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const march = parseReportRange('2026-03-01', '2026-04-01', PARIS);

type Line = Record<(typeof fecColumns)[number], string>;

function parse(content: string, eol = '\n'): { header: string; lines: Line[]; raw: string[] } {
  expect(content.endsWith(eol)).toBe(true);
  const raw = content.slice(0, -eol.length).split(eol);
  const [header, ...rest] = raw;
  const lines = rest.map((l) => {
    const cells = l.split('\t');
    expect(cells).toHaveLength(18);
    return Object.fromEntries(fecColumns.map((c, i) => [c, cells[i]!])) as Line;
  });
  return { header: header!, lines, raw };
}

const cents = (amount: string) => {
  const [units, decimals] = amount.split(',');
  return Number(units) * 100 + Number(decimals);
};

describe('fecExport', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let db: Db;
  let alice: string;
  let bob: string;
  let session: string;
  const laser = { id: 'laser-1', kind: 'laser' as MachineKind };
  const printer = { id: 'prusa-1', kind: 'printer-3d' as MachineKind };
  const tx = {} as Record<
    | 'cash'
    | 'card'
    | 'hello'
    | 'usage1'
    | 'usage2'
    | 'usage3'
    | 'refund'
    | 'adjUp'
    | 'adjDown'
    | 'cash2'
    | 'rev',
    number
  >;

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
    alice = await insertMember(db, 'Alice Dupont');
    bob = await insertMember(db, 'Bob\tle\r\nTabulé');
    await insertMachine(db, laser.id, 'laser', 'Laser 60W');
    await insertMachine(db, printer.id, 'printer-3d', 'Prusa\tMK4');

    await topup(db, alice, 9999, 'cash', at('2026-02-20T10:00:00Z')); // before: not exported
    tx.cash = await topup(db, alice, 1250, 'cash', at('2026-03-01T09:00:00Z'));
    tx.card = await topup(db, bob, 3000, 'card', at('2026-03-02T09:00:00Z'), 'TPE\t#4711');
    tx.hello = await topup(db, bob, 2000, 'helloasso', at('2026-03-02T10:00:00Z'));
    session = await insertSession(db, {
      machineId: laser.id,
      memberId: alice,
      startedAt: at('2026-03-03T13:50:00Z'),
      endedAt: at('2026-03-03T14:00:00Z'),
      runningSeconds: 600,
      chargedCents: 500,
    });
    tx.usage1 = await usage(db, alice, laser, 500, at('2026-03-03T14:00:00Z'), session);
    // 23:30 UTC on March 4 is March 5 in Paris.
    tx.usage2 = await usage(db, bob, printer, 120, at('2026-03-04T23:30:00Z'));
    tx.refund = await refund(db, bob, 700, 'check', at('2026-03-06T10:00:00Z'));
    tx.adjUp = await adjustment(db, alice, 150, at('2026-03-07T10:00:00Z'), 'geste commercial');
    tx.adjDown = await adjustment(db, bob, -30, at('2026-03-08T10:00:00Z'), 'erreur\tde\nsaisie');
    tx.cash2 = await topup(db, alice, 40, 'cash', at('2026-03-09T10:00:00Z'));
    tx.rev = await reversal(db, tx.hello, at('2026-03-10T10:00:00Z'), 'doublon');
    tx.usage3 = await usage(db, bob, laser, 1, at('2026-03-31T21:59:59Z'));
    await topup(db, alice, 8888, 'cash', at('2026-03-31T22:00:00Z')); // April 1st in Paris: not exported
  });

  afterAll(async () => {
    await database.drop();
  });

  it('has the 18 FEC columns in order, one line per entry, and a dated file name', async () => {
    const { filename, content } = await fecExport(db, march, { siren: '123456789' });
    expect(filename).toBe('123456789FEC20260331.txt');
    const { header, lines } = parse(content);
    expect(header).toBe(
      'JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise',
    );
    expect(fecColumns).toHaveLength(18);
    expect(lines).toHaveLength(11 * 2);
    expect(content).not.toContain('\r');
  });

  it('writes a cash top-up as the accountant expects', async () => {
    // March is not closed: ValidDate is the export date (see fec.ts).
    const { content, provisional } = await fecExport(db, march, { now: at('2026-04-02T10:00:00Z') });
    expect(provisional).toBe(true);
    const { raw } = parse(content);
    expect(raw[1]).toBe(
      [
        'CA',
        'Caisse',
        '1',
        '20260301',
        '530',
        'Caisse',
        '',
        '',
        `REC-${tx.cash}`,
        '20260301',
        'Recharge carte machine — espèces',
        '12,50',
        '0,00',
        '',
        '',
        '20260402',
        '',
        '',
      ].join('\t'),
    );
    expect(raw[2]).toBe(
      [
        'CA',
        'Caisse',
        '1',
        '20260301',
        '4191',
        'Usagers créditeurs : Avances et acomptes',
        memberNo(alice),
        'Alice Dupont',
        `REC-${tx.cash}`,
        '20260301',
        'Recharge carte machine — espèces',
        '0,00',
        '12,50',
        '',
        '',
        '20260402',
        '',
        '',
      ].join('\t'),
    );
  });

  it('balances: debits equal credits overall and within each écriture', async () => {
    const { lines } = parse((await fecExport(db, march)).content);
    const debit = lines.reduce((s, l) => s + cents(l.Debit), 0);
    const credit = lines.reduce((s, l) => s + cents(l.Credit), 0);
    expect(debit).toBe(credit);
    expect(debit).toBe(1250 + 3000 + 2000 + 500 + 120 + 700 + 150 + 30 + 40 + 2000 + 1);
    const byEcriture = new Map<string, number>();
    for (const l of lines) {
      const key = `${l.JournalCode}-${l.EcritureNum}`;
      byEcriture.set(key, (byEcriture.get(key) ?? 0) + cents(l.Debit) - cents(l.Credit));
      // exactly one side carries the amount
      expect([l.Debit, l.Credit].filter((a) => a === '0,00')).toHaveLength(1);
    }
    expect([...byEcriture.values()].every((v) => v === 0)).toBe(true);
  });

  // Issue #11 item 5: one sequence over the file, so tools that group by EcritureNum alone
  // (Paheko's FEC import) never merge écritures of different journals.
  it('numbers écritures 1, 2, 3… across the whole file, in ledger order', async () => {
    const { lines } = parse((await fecExport(db, march)).content);
    const order: string[] = [];
    const journalOfNum = new Map<string, string>();
    for (const l of lines) {
      if (order.at(-1) !== l.EcritureNum) {
        // an écriture's lines are contiguous
        expect(order).not.toContain(l.EcritureNum);
        order.push(l.EcritureNum);
      }
      // one journal per number
      expect(journalOfNum.get(l.EcritureNum) ?? l.JournalCode).toBe(l.JournalCode);
      journalOfNum.set(l.EcritureNum, l.JournalCode);
    }
    expect(order).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
    expect(order.map((n) => journalOfNum.get(n))).toEqual([
      'CA',
      'BQ',
      'HA',
      'VT',
      'VT',
      'BQ',
      'OD',
      'OD',
      'CA',
      'OD',
      'VT',
    ]);
    const journals = Object.fromEntries(lines.map((l) => [l.JournalCode, l.JournalLib]));
    expect(journals).toEqual({
      CA: 'Caisse',
      BQ: 'Banque',
      HA: 'HelloAsso',
      VT: 'Ventes / consommations cartes machines',
      OD: 'Opérations diverses',
    });
  });

  it('dates in the lab zone as AAAAMMJJ, amounts with a comma and two decimals', async () => {
    const { lines } = parse((await fecExport(db, march, { now: at('2026-04-15T10:00:00Z') })).content);
    for (const l of lines) {
      expect(l.EcritureDate).toMatch(/^202603(0[1-9]|[12]\d|3[01])$/);
      expect(l.PieceDate).toBe(l.EcritureDate);
      expect(l.ValidDate).toBe('20260415');
      expect(l.Debit).toMatch(/^\d+,\d\d$/);
      expect(l.Credit).toMatch(/^\d+,\d\d$/);
      expect([l.EcritureLet, l.DateLet, l.Montantdevise, l.Idevise]).toEqual(['', '', '', '']);
      expect(l.PieceRef).not.toBe('');
      expect(l.EcritureLib).not.toBe('');
    }
    const usage2 = lines.filter((l) => l.PieceRef === `UTI-${tx.usage2}`);
    expect(usage2.map((l) => l.EcritureDate)).toEqual(['20260305', '20260305']);
    const last = lines.filter((l) => l.PieceRef === `UTI-${tx.usage3}`);
    expect(last.map((l) => [l.EcritureDate, l.Debit, l.Credit])).toEqual([
      ['20260331', '0,01', '0,00'],
      ['20260331', '0,00', '0,01'],
    ]);
  });

  // Issue #11 items 1, 2, 11: the accounts of core/book-accounts.ts, labelled as the chart does.
  it('maps accounts, auxiliary accounts and French labels', async () => {
    const { lines } = parse((await fecExport(db, march)).content);
    const of = (id: number) =>
      lines
        .filter((l) => l.PieceRef.endsWith(`-${id}`) || (id === tx.card && l.PieceRef === 'TPE #4711'))
        .map((l) => [
          l.JournalCode,
          l.CompteNum,
          l.CompteLib,
          l.CompAuxNum,
          l.CompAuxLib,
          l.EcritureLib,
          l.Debit,
          l.Credit,
        ]);
    const card = ['4191', 'Usagers créditeurs : Avances et acomptes'];
    expect(of(tx.card)).toEqual([
      [
        'BQ',
        '5115',
        'Paiements par carte à encaisser',
        '',
        '',
        'Recharge carte machine — carte bancaire',
        '30,00',
        '0,00',
      ],
      [
        'BQ',
        ...card,
        memberNo(bob),
        'Bob le Tabulé',
        'Recharge carte machine — carte bancaire',
        '0,00',
        '30,00',
      ],
    ]);
    expect(of(tx.hello)).toEqual([
      ['HA', '4671', 'Débiteurs divers', '', '', 'Recharge carte machine — HelloAsso', '20,00', '0,00'],
      ['HA', ...card, memberNo(bob), 'Bob le Tabulé', 'Recharge carte machine — HelloAsso', '0,00', '20,00'],
    ]);
    const use1 = 'Laser 60W — Alice Dupont';
    expect(
      lines
        .filter((l) => l.PieceRef === sessionRef(session))
        .map((l) => [l.JournalCode, l.CompteNum, l.CompAuxLib, l.EcritureLib, l.Debit, l.Credit]),
    ).toEqual([
      ['VT', '4191', 'Alice Dupont', use1, '5,00', '0,00'],
      ['VT', '706', '', use1, '0,00', '5,00'],
    ]);
    expect(of(tx.usage2)).toEqual([
      ['VT', ...card, memberNo(bob), 'Bob le Tabulé', 'Prusa MK4 — Bob le Tabulé', '1,20', '0,00'],
      ['VT', '706', 'Prestations de services', '', '', 'Prusa MK4 — Bob le Tabulé', '0,00', '1,20'],
    ]);
    expect(of(tx.refund)).toEqual([
      ['BQ', ...card, memberNo(bob), 'Bob le Tabulé', 'Remboursement carte machine — chèque', '7,00', '0,00'],
      ['BQ', '5112', 'Chèques à encaisser', '', '', 'Remboursement carte machine — chèque', '0,00', '7,00'],
    ]);
    const goodwill = 'Régularisation carte machine — geste commercial';
    expect(of(tx.adjUp)).toEqual([
      ['OD', '709', 'Rabais, remises et ristournes accordés', '', '', goodwill, '1,50', '0,00'],
      ['OD', ...card, memberNo(alice), 'Alice Dupont', goodwill, '0,00', '1,50'],
    ]);
    const correction = 'Régularisation carte machine — erreur de saisie';
    expect(of(tx.adjDown)).toEqual([
      ['OD', '706', 'Prestations de services', '', '', correction, '0,00', '0,30'],
      ['OD', ...card, memberNo(bob), 'Bob le Tabulé', correction, '0,30', '0,00'],
    ]);
    const cancel = `Annulation de REC-${tx.hello} (recharge carte machine) — doublon`;
    expect(of(tx.rev)).toEqual([
      ['OD', '4671', 'Débiteurs divers', '', '', cancel, '0,00', '20,00'],
      ['OD', ...card, memberNo(bob), 'Bob le Tabulé', cancel, '20,00', '0,00'],
    ]);
  });

  it('uses the top-up reference as PieceRef, sanitised', async () => {
    const { lines } = parse((await fecExport(db, march)).content);
    expect(lines.filter((l) => l.PieceRef === 'TPE #4711')).toHaveLength(2);
  });

  // Issue #12: words and short numbers, never ids; one piece reference per écriture, stable.
  it('has no UUID anywhere, in UTF-8 or ISO 8859-15, and unique stable piece references', async () => {
    const file = await fecExport(db, march, { now: at('2026-04-02T10:00:00Z') });
    const iso = await fecExport(db, march, { now: at('2026-04-02T10:00:00Z'), charset: 'iso-8859-15' });
    const minute = await fecExport(db, march, { now: at('2026-04-02T10:00:00Z'), detail: 'minute' });
    for (const f of [file, iso, minute]) expect(f.content).not.toMatch(UUID);
    const { lines } = parse(file.content);
    const pieces = new Map<string, string>();
    for (const l of lines) pieces.set(l.EcritureNum, l.PieceRef);
    expect(new Set(pieces.values()).size).toBe(pieces.size);
    // Labels say the machine and the member once, in ISO 8859-15 too.
    expect(lines.map((l) => l.EcritureLib)).toContain('Laser 60W — Alice Dupont');
    expect(parse(iso.content).lines.map((l) => l.EcritureLib)).toContain('Laser 60W - Alice Dupont');
    expect((await fecExport(db, march, { now: at('2026-04-02T10:00:00Z') })).content).toBe(file.content);
    // A range inside the month books the same écritures under the same references.
    const part = parse((await fecExport(db, parseReportRange('2026-03-05', '2026-03-20', PARIS))).content);
    expect(part.lines.length).toBeGreaterThan(0);
    const whole = new Set(lines.map((l) => `${l.EcritureDate} ${l.PieceRef} ${l.CompAuxNum} ${l.Debit}`));
    for (const l of part.lines)
      expect(whole).toContain(`${l.EcritureDate} ${l.PieceRef} ${l.CompAuxNum} ${l.Debit}`);
  });

  it('ends lines in CRLF on request', async () => {
    const { content } = await fecExport(db, march, { lineEnding: 'CRLF' });
    const { lines } = parse(content, '\r\n');
    expect(lines).toHaveLength(22);
    expect(content.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('takes other account numbers, labelled from the chart or the declared sub-accounts', async () => {
    const { lines } = parse(
      (
        await fecExport(db, march, {
          accounts: {
            memberCards: '4190',
            machineRevenue: { laser: '7061' },
            cash: '531',
            subAccounts: [{ number: '7061', label: 'Découpe laser' }],
          },
        })
      ).content,
    );
    const numbers = new Set(lines.map((l) => l.CompteNum));
    expect([...numbers].sort()).toEqual(['4190', '4671', '5112', '5115', '531', '706', '7061', '709']);
    expect(lines.filter((l) => l.CompAuxNum !== '').every((l) => l.CompteNum === '4190')).toBe(true);
    expect(lines.find((l) => l.CompteNum === '7061')?.CompteLib).toBe('Découpe laser');
  });

  it('refuses a bad SIREN or account number', async () => {
    await expect(fecExport(db, march, { siren: '12345' })).rejects.toBeInstanceOf(FecOptionsError);
    await expect(fecExport(db, march, { siren: '../../etc' })).rejects.toBeInstanceOf(FecOptionsError);
    await expect(fecExport(db, march, { accounts: { bank: '512\t' } })).rejects.toThrow(/account number/);
    await expect(fecExport(db, march, { accounts: { cash: '' } })).rejects.toBeInstanceOf(FecOptionsError);
  });

  it('exports an empty period as the header alone', async () => {
    const range = parseReportRange('2025-01-01', '2026-01-01', PARIS);
    const { filename, content } = await fecExport(db, range);
    expect(filename).toBe('000000000FEC20251231.txt');
    expect(content).toBe(`${fecColumns.join('\t')}\n`);
  });

  it('names the file after the last day, across a DST change', async () => {
    const range = parseReportRange('2026-03-29', '2026-03-30', PARIS);
    expect((await fecExport(db, range)).filename).toBe('000000000FEC20260329.txt');
    const autumn = parseReportRange('2026-10-25', '2026-10-26', PARIS);
    expect((await fecExport(db, autumn)).filename).toBe('000000000FEC20261025.txt');
    const utc = { from: at('2026-03-01T00:00:00Z'), to: at('2026-04-01T00:00:00Z') };
    expect((await fecExport(db, utc, { timeZone: 'UTC' })).filename).toBe('000000000FEC20260331.txt');
  });
});

describe('FEC formatting', () => {
  it.each([
    [0, '0,00'],
    [1, '0,01'],
    [10, '0,10'],
    [1250, '12,50'],
    [-1250, '12,50'],
    [123456789, '1234567,89'],
  ])('%i cents is %s', (value, text) => {
    expect(formatAmount(value)).toBe(text);
  });

  it('cleans control characters out of fields', () => {
    expect(clean(' Bob\t\tle\r\nTabulé\u0000 \u2028x ')).toBe('Bob le Tabulé x');
  });
});

// Issue #9 item 10: the FEC is opened in spreadsheets; formula text must not run there.
describe('fecExport neutralises spreadsheet formulas like the CSV exports', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let db: Db;

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
  });

  afterAll(async () => {
    await database.drop();
  });

  it('prefixes a member name and a reference that would start a formula; amounts stay numbers', async () => {
    const hyperlink = await insertMember(db, '=HYPERLINK("http://x")');
    const tabbed = await insertMember(db, '\t+cmd|calc');
    const numeric = await insertMember(db, '-12,50');
    await topup(db, hyperlink, 1250, 'cash', at('2026-03-02T09:00:00Z'), '@SUM(A1)');
    await topup(db, tabbed, 300, 'card', at('2026-03-03T09:00:00Z'), '-1+1');
    await topup(db, numeric, 100, 'cash', at('2026-03-04T09:00:00Z'), '42');
    const { lines, raw } = parse((await fecExport(db, march)).content);

    const card = (id: string) => lines.find((l) => l.CompteNum === '4191' && l.CompAuxNum === memberNo(id))!;
    expect(card(hyperlink).CompAuxLib).toBe(`'=HYPERLINK("http://x")`);
    expect(card(tabbed).CompAuxLib).toBe(`'+cmd|calc`);
    // A plain number is not a formula: left alone, as in the CSVs.
    expect(card(numeric).CompAuxLib).toBe('-12,50');
    expect(lines.filter((l) => l.PieceRef === `'@SUM(A1)`)).toHaveLength(2);
    expect(lines.filter((l) => l.PieceRef === `'-1+1`)).toHaveLength(2);
    expect(lines.filter((l) => l.PieceRef === '42')).toHaveLength(2);
    // Nothing in the file starts a cell with a formula character any more.
    for (const line of raw) {
      for (const cell of line.split('\t')) expect(cell).not.toMatch(/^[=+@]|^-(?!\d+(,\d+)?$)/);
    }
    // Amounts untouched.
    expect(card(hyperlink).Credit).toBe('12,50');
    expect(card(tabbed).Credit).toBe('3,00');
  });
});
