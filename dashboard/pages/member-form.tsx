/**
 * The member form (issue #12 item 2): every field of a member, for "Ajouter un membre" and
 * "Modifier la fiche". The form is read here (strings → the use case's input, each mistake
 * said next to its field in the page's language); the use case validates again and writes.
 * The membership end is typed as its last day, inclusive (issue #12 item 5).
 */
import { z } from 'zod';
import { lastDay, parseLastDay } from '../../application/membership-dates.ts';
import {
  GENDERS,
  type Gender,
  MEMBER_CATEGORIES,
  RESIDENCE_AREAS,
  type ResidenceArea,
} from '../../core/member-categories.ts';
import type { DashContext } from '../context.ts';
import { formOf } from '../http/forms.ts';

export const FORM_FIELDS = [
  'name',
  'email',
  'category',
  'birthYear',
  'lastDay',
  'gender',
  'residenceCommune',
  'residenceArea',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormValues = Record<FormField, string>;
export type FormErrors = Partial<Record<FormField, string>>;

export const emptyValues: FormValues = {
  name: '',
  email: '',
  category: '',
  birthYear: '',
  lastDay: '',
  gender: '',
  residenceCommune: '',
  residenceArea: '',
};

/** The form's values for a member as stored. */
export function valuesOf(
  m: {
    name: string;
    email: string;
    category: string | null;
    birthYear: number | null;
    membershipValidUntil: Date | null;
    gender: string | null;
    residenceCommune: string | null;
    residenceArea: string | null;
  },
  timeZone: string,
): FormValues {
  return {
    name: m.name,
    email: m.email,
    category: m.category ?? '',
    birthYear: m.birthYear === null ? '' : String(m.birthYear),
    lastDay: m.membershipValidUntil === null ? '' : lastDay(m.membershipValidUntil, timeZone),
    gender: m.gender ?? '',
    residenceCommune: m.residenceCommune ?? '',
    residenceArea: m.residenceArea ?? '',
  };
}

export interface MemberFormInput {
  name: string;
  email: string;
  category: string | null;
  birthYear: number | null;
  membershipValidUntil: Date | null;
  gender: Gender | null;
  residenceCommune: string | null;
  residenceArea: ResidenceArea | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters being refused
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Reads the posted form; every field is checked and each mistake named in the page's language. */
export async function readMemberForm(
  c: DashContext,
): Promise<
  | { ok: true; input: MemberFormInput; values: FormValues }
  | { ok: false; errors: FormErrors; values: FormValues }
> {
  const { t, deps } = c.var;
  const raw = await formOf(c);
  const text = (k: FormField) => {
    const v = raw[k];
    return (typeof v === 'string' ? v : '').slice(0, 400);
  };
  const values: FormValues = {
    name: text('name').trim(),
    email: text('email').trim(),
    category: text('category').trim(),
    birthYear: text('birthYear').trim(),
    lastDay: text('lastDay').trim(),
    gender: text('gender').trim(),
    residenceCommune: text('residenceCommune').trim(),
    residenceArea: text('residenceArea').trim(),
  };
  const errors: FormErrors = {};
  const maxYear = deps.now().getUTCFullYear();
  if (values.name === '' || values.name.length > 200 || CONTROL.test(values.name))
    errors.name = t.fieldErrors.name;
  if (!z.email().max(320).safeParse(values.email).success) errors.email = t.fieldErrors.email;
  if (values.category !== '' && !(MEMBER_CATEGORIES as readonly string[]).includes(values.category))
    errors.category = t.fieldErrors.category;
  let birthYear: number | null = null;
  if (values.birthYear !== '') {
    birthYear = /^\d{4}$/.test(values.birthYear) ? Number(values.birthYear) : Number.NaN;
    if (!(birthYear >= 1900 && birthYear <= maxYear)) errors.birthYear = t.fieldErrors.birthYear(maxYear);
  }
  const until = values.lastDay === '' ? null : parseLastDay(values.lastDay, deps.labTimeZone);
  if (values.lastDay !== '' && until === null) errors.lastDay = t.fieldErrors.lastDay;
  if (values.gender !== '' && !(GENDERS as readonly string[]).includes(values.gender))
    errors.gender = t.fieldErrors.choice;
  if (values.residenceCommune.length > 100 || CONTROL.test(values.residenceCommune))
    errors.residenceCommune = t.fieldErrors.commune;
  if (values.residenceArea !== '' && !(RESIDENCE_AREAS as readonly string[]).includes(values.residenceArea))
    errors.residenceArea = t.fieldErrors.choice;
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    input: {
      name: values.name,
      email: values.email,
      category: values.category === '' ? null : values.category,
      birthYear,
      membershipValidUntil: until,
      gender: values.gender === '' ? null : (values.gender as Gender),
      residenceCommune: values.residenceCommune === '' ? null : values.residenceCommune,
      residenceArea: values.residenceArea === '' ? null : (values.residenceArea as ResidenceArea),
    },
  };
}

function Input(props: {
  id: string;
  name: FormField;
  label: string;
  value: string;
  error?: string | undefined;
  hint?: string;
  type?: string;
  required?: boolean;
  inputmode?: 'numeric';
  autocomplete?: string;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        inputmode={props.inputmode}
        autocomplete={props.autocomplete ?? 'off'}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} class="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

function Choice(props: {
  id: string;
  name: FormField;
  label: string;
  value: string;
  none: string;
  options: { value: string; label: string }[];
  error?: string | undefined;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        name={props.name}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
      >
        <option value="" selected={props.value === ''}>
          {props.none}
        </option>
        {props.options.map((o) => (
          <option value={o.value} selected={props.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.error && (
        <small id={`${props.id}-error`} class="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

export function MemberForm(props: {
  c: DashContext;
  action: string;
  values: FormValues;
  errors?: FormErrors;
  submit: string;
}) {
  const { t } = props.c.var;
  const { values } = props;
  const errors = props.errors ?? {};
  return (
    <form method="post" action={props.action} class="card narrow" novalidate>
      {Object.keys(errors).length > 0 && (
        <p class="flash error" role="alert">
          {t.fixErrors}
        </p>
      )}
      <Input id="m-name" name="name" label={t.name} value={values.name} error={errors.name} required />
      <Input
        id="m-email"
        name="email"
        type="email"
        label={t.email}
        value={values.email}
        error={errors.email}
        required
      />
      <Choice
        id="m-category"
        name="category"
        label={t.category}
        value={values.category}
        none={t.categoryNone}
        options={MEMBER_CATEGORIES.map((k) => ({ value: k, label: t.categories[k] }))}
        error={errors.category}
      />
      <Input
        id="m-birth-year"
        name="birthYear"
        label={t.birthYear}
        value={values.birthYear}
        error={errors.birthYear}
        inputmode="numeric"
        hint={t.birthYearHint}
      />
      <Input
        id="m-last-day"
        name="lastDay"
        type="date"
        label={t.membershipLastDay}
        value={values.lastDay}
        error={errors.lastDay}
        hint={t.membershipLastDayHint}
      />
      {/* issue #11: optional, for funders' attendance figures */}
      <fieldset>
        <legend>{t.optionalData}</legend>
        <Choice
          id="m-gender"
          name="gender"
          label={t.formGender}
          value={values.gender}
          none={t.formGenderNone}
          options={GENDERS.map((g) => ({ value: g, label: t.formGenders[g] }))}
          error={errors.gender}
        />
        <Input
          id="m-commune"
          name="residenceCommune"
          label={t.formCommune}
          value={values.residenceCommune}
          error={errors.residenceCommune}
          hint={t.formCommuneHint}
        />
        <Choice
          id="m-area"
          name="residenceArea"
          label={t.formArea}
          value={values.residenceArea}
          none={t.formAreaNone}
          options={RESIDENCE_AREAS.map((a) => ({ value: a, label: t.formAreas[a] }))}
          error={errors.residenceArea}
        />
      </fieldset>
      <button type="submit">{props.submit}</button>
    </form>
  );
}
