/** Small shared pieces: form fields with labels, money, state tags (text + icon, never colour alone). */
import type { Child } from 'hono/jsx';

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value?: string | number | undefined;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  inputmode?: 'decimal' | 'numeric' | 'text' | 'email' | 'search' | 'tel' | 'url' | 'none';
  pattern?: string;
  min?: string;
  step?: string;
  id?: string;
}) {
  const id = props.id ?? `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === undefined ? undefined : String(props.value)}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        pattern={props.pattern}
        min={props.min}
        step={props.step}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function Select(props: {
  label: string;
  name: string;
  options: { value: string; label: string }[];
  value?: string | undefined;
  id?: string;
}) {
  const id = props.id ?? `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkboxes(props: {
  legend: string;
  name: string;
  options: { value: string; label: string }[];
  checked: readonly string[];
}) {
  return (
    <fieldset class="checks">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label>
          <input
            type="checkbox"
            name={props.name}
            value={o.value}
            checked={props.checked.includes(o.value)}
          />{' '}
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

export type Tone = 'ok' | 'busy' | 'warn' | 'off';

const ICONS: Record<Tone, string> = { ok: '✓', busy: '▶', warn: '⚠', off: '✕' };

/** A state shown with an icon AND words (WCAG 1.4.1: colour is never the only cue). */
export function Tag(props: { tone: Tone; children?: Child }) {
  return (
    <span class={`tag ${props.tone}`}>
      <span aria-hidden="true">{ICONS[props.tone]}</span> {props.children}
    </span>
  );
}

/**
 * A table that scrolls sideways on a phone instead of overflowing the page; with `cards`
 * (each cell carrying `data-label`), each row becomes a card on a phone instead, so that no
 * column is out of sight (issue #12 item 6).
 */
export function Table(props: {
  caption: string;
  head: string[];
  children?: Child;
  numeric?: number[];
  cards?: boolean;
}) {
  return (
    // Focusable so that keyboard users can scroll a wide table on a phone.
    <section class={props.cards ? 'table-wrap cards' : 'table-wrap'} aria-label={props.caption} tabindex={0}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th scope="col" class={props.numeric?.includes(i) ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </section>
  );
}

/**
 * An action that cuts someone off, in two steps without JavaScript (issue #12 item 7): the
 * button opens a panel that says what will happen; only its second button posts.
 */
export function Confirm(props: {
  label: string;
  question: string;
  yes: string;
  action: string;
  hint: string;
  /** distinguishes panels on one card, so that a live refresh keeps the open one open */
  name: string;
  fields?: Record<string, string>;
  ariaLabel?: string;
}) {
  return (
    <details class={`confirm ${props.name}`}>
      <summary class="button danger" aria-label={props.ariaLabel}>
        {props.label}
      </summary>
      <div class="confirm-panel">
        <p>{props.question}</p>
        <form method="post" action={props.action}>
          {Object.entries(props.fields ?? {}).map(([k, v]) => (
            <input type="hidden" name={k} value={v} />
          ))}
          <button type="submit" class="danger">
            {props.yes}
          </button>
        </form>
        <small class="hint">{props.hint}</small>
      </div>
    </details>
  );
}

export function Empty(props: { children?: Child }) {
  return <p class="empty">{props.children}</p>;
}
