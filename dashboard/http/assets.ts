/**
 * Static files: the dashboard's CSS and scripts, and Chart.js served from node_modules (the
 * lab's server may have no internet: no CDN). Read once at start, served with an ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { DashEnv } from '../context.ts';
import { requires } from './access.ts';

const require = createRequire(import.meta.url);
const here = (name: string) => new URL(`../public/${name}`, import.meta.url);

const FILES: Record<string, { path: URL | string; type: string }> = {
  'style.css': { path: here('style.css'), type: 'text/css; charset=utf-8' },
  'app.js': { path: here('app.js'), type: 'text/javascript; charset=utf-8' },
  'board.js': { path: here('board.js'), type: 'text/javascript; charset=utf-8' },
  'charts.js': { path: here('charts.js'), type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { path: here('favicon.svg'), type: 'image/svg+xml' },
  'copy.js': { path: here('copy.js'), type: 'text/javascript; charset=utf-8' },
  'chart.umd.min.js': {
    // chart.js's exports map hides dist/: find the UMD build beside its main file.
    path: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export function registerAssets(app: Hono<DashEnv>): void {
  const loaded = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const [name, file] of Object.entries(FILES)) {
    const body = readFileSync(file.path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    loaded.set(name, { body, type: file.type, etag });
  }
  // Browsers ask for /favicon.ico whatever the page links (issue #12 item 7): the SVG icon.
  app.get('/favicon.ico', requires('static'), (c) => serve(c, 'favicon.svg'));
  app.get('/assets/:name', requires('static'), (c) => serve(c, c.req.param('name')));
  function serve(c: Context, name: string) {
    const file = loaded.get(name);
    if (file === undefined) return c.notFound();
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304);
    return c.body(new Uint8Array(file.body), 200, {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': 'public, max-age=300',
    });
  }
}
