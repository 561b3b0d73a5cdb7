/**
 * /api/docs: the OpenAPI document rendered as one self-contained HTML page on the server
 * (the lab's server may have no internet: no CDN script, no external asset).
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { problemTypes } from '../../../web/problem.ts';

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function resolve(doc: Json, schema: unknown): Json {
  const ref = (schema as Json | undefined)?.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').pop() ?? '';
    return ((doc.components as Json | undefined)?.schemas as Json | undefined)?.[name] as Json;
  }
  return (schema ?? {}) as Json;
}

function schemaText(doc: Json, schema: unknown, depth = 0): string {
  const s = resolve(doc, schema);
  if (depth > 4 || s === undefined) return '…';
  if (s.type === 'object' && s.properties) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    const pad = '  '.repeat(depth + 1);
    const lines = Object.entries(s.properties as Json).map(
      ([k, v]) => `${pad}${k}${required.has(k) ? '' : '?'}: ${schemaText(doc, v, depth + 1)}`,
    );
    return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
  }
  if (s.type === 'array') return `${schemaText(doc, s.items, depth)}[]`;
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(' | ');
  if (Array.isArray(s.anyOf)) return s.anyOf.map((x) => schemaText(doc, x, depth)).join(' | ');
  const type = Array.isArray(s.type) ? s.type.join(' | ') : String(s.type ?? 'any');
  return s.description ? `${type}  — ${String(s.description)}` : type;
}

function operation(
  doc: Json,
  method: string,
  path: string,
  op: Json,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as
    | Json
    | undefined;
  const params = ((op.parameters as Json[] | undefined) ?? []).map(
    (p) => `${String(p.in)} ${String(p.name)}${p.required ? '' : '?'}: ${schemaText(doc, p.schema)}`,
  );
  const responses = Object.entries((op.responses as Json | undefined) ?? {}).filter(
    ([code]) => Number(code) < 400,
  );
  return html`<section class="op" id="${method}-${path}">
    <h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${path}</code></h3>
    <p>${String(op.summary ?? '')}</p>
    <p class="d">${String(op.description ?? '')}</p>
    ${params.length > 0 ? html`<h4>Parameters</h4><pre>${params.join('\n')}</pre>` : ''}
    ${body ? html`<h4>Body</h4><pre>${schemaText(doc, body.schema)}</pre>` : ''}
    ${responses.map(([code, r]) => {
      const content = (r as Json).content as Json | undefined;
      const json = content?.['application/json'] as Json | undefined;
      return html`<h4>${code} ${String((r as Json).description ?? '')}</h4>${json ? html`<pre>${schemaText(doc, json.schema)}</pre>` : ''}`;
    })}
  </section>`;
}

export function renderDocs(doc: Json) {
  const paths = Object.entries((doc.paths as Json | undefined) ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const ops = paths.flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Json)[m]).map((m) => ({ path, method: m, op: (item as Json)[m] as Json })),
  );
  const info = doc.info as Json;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${String(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${raw(`body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:13px}code{font-size:14px}
.op{border-top:1px solid #ddd;padding-top:.5em}.m{display:inline-block;min-width:4.5em;font-weight:bold}
.get{color:#0a6}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c22}.d{color:#555}nav li{list-style:none}`)}</style>
</head><body>
<h1>${String(info.title)} <small>${String(info.version)}</small></h1>
<p>${String(info.description ?? '')}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${ops.map((o) => html`<li><a href="#${o.method}-${o.path}"><span class="m ${o.method}">${o.method.toUpperCase()}</span> ${o.path}</a> — ${String(o.op.summary ?? '')}</li>`)}</ul></nav>
${ops.map((o) => operation(doc, o.method, o.path, o.op))}
<h2>Problem types</h2>
<dl>${problemTypes.map(([slug, title]) => html`<dt id="problem-${slug}"><code>/api/docs#problem-${slug}</code></dt><dd>${title}</dd>`)}</dl>
</body></html>`;
}
