/**
 * French by default, English on request (issue #4): `?lang=en` switches and is remembered
 * in a cookie for a year.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { DashEnv } from '../context.ts';
import { backupEn } from './backup-en.ts';
import { backupFr } from './backup-fr.ts';
import { devicesEn } from './devices-en.ts';
import { devicesFr } from './devices-fr.ts';
import { en } from './en.ts';
import { errorsEn } from './errors-en.ts';
import { errorsFr } from './errors-fr.ts';
import { type Dict as BaseDict, fr } from './fr.ts';
import { fundersEn } from './funders-en.ts';
import { fundersFr } from './funders-fr.ts';
import { helloassoEn } from './helloasso-en.ts';
import { helloassoFr } from './helloasso-fr.ts';
import { membersEn } from './members-en.ts';
import { membersFr } from './members-fr.ts';
import { pagesEn } from './pages-en.ts';
import { pagesFr } from './pages-fr.ts';
import { practicesEn } from './practices-en.ts';
import { practicesFr } from './practices-fr.ts';
import { securityEn } from './security-en.ts';
import { securityFr } from './security-fr.ts';

/** fr.ts plus the issue #6 words (practices-fr.ts), kept apart so that each file stays short. */
export type Dict = BaseDict &
  typeof practicesFr &
  typeof backupFr &
  typeof helloassoFr &
  typeof fundersFr &
  typeof pagesFr &
  typeof membersFr &
  typeof errorsFr &
  typeof devicesFr &
  typeof securityFr;
export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_COOKIE = 'sesame_lang';

export const dictionaries: Record<Lang, Dict> = {
  fr: {
    ...fr,
    ...practicesFr,
    ...backupFr,
    ...helloassoFr,
    ...fundersFr,
    ...pagesFr,
    ...membersFr,
    ...errorsFr,
    ...devicesFr,
    ...securityFr,
  },
  en: {
    ...en,
    ...practicesEn,
    ...backupEn,
    ...helloassoEn,
    ...fundersEn,
    ...pagesEn,
    ...membersEn,
    ...errorsEn,
    ...devicesEn,
    ...securityEn,
  },
};

const isLang = (v: string | undefined): v is Lang => v === 'fr' || v === 'en';

/** `?lang=` first, then the remembered choice; French otherwise, whatever the browser says (issue #4). */
export function chooseLang(query: string | undefined, cookie: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  return 'fr';
}

export interface Formatters {
  money(cents: number): string;
  dateTime(d: Date): string;
  date(d: Date): string;
  time(d: Date): string;
  /** 1 h 05 min, 12 min 30 s */
  duration(seconds: number): string;
  number(n: number): string;
  month(yyyyMm: string): string;
}

export function formatters(lang: Lang, timeZone: string): Formatters {
  const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' });
  const month = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', year: 'numeric' });
  const number = new Intl.NumberFormat(locale);
  return {
    money: (cents) => money.format(cents / 100),
    dateTime: (d) => dateTime.format(d),
    date: (d) => date.format(d),
    time: (d) => time.format(d),
    duration: (seconds) => {
      const s = Math.max(0, Math.floor(seconds));
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
      return `${m} min ${String(s % 60).padStart(2, '0')} s`;
    },
    number: (n) => number.format(n),
    month: (yyyyMm) => month.format(new Date(`${yyyyMm}-15T00:00:00Z`)),
  };
}

/** Sets lang, t and fmt for every dashboard request. */
export const language: MiddlewareHandler<DashEnv> = async (c, next) => {
  const query = c.req.query('lang');
  const lang = chooseLang(query, getCookie(c, LANG_COOKIE));
  if (isLang(query)) {
    setCookie(c, LANG_COOKIE, lang, { path: '/', sameSite: 'Lax', maxAge: 365 * 86_400 });
  }
  c.set('lang', lang);
  c.set('t', dictionaries[lang]);
  c.set('fmt', formatters(lang, c.var.deps.labTimeZone));
  await next();
};
