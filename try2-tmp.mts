import { cpSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
const [,, file, offsetStr, lenStr, mode] = process.argv;
const dir = '/tmp/pgl/dd';
rmSync(dir, { recursive: true, force: true });
cpSync('/tmp/sesame-dd-base', dir, { recursive: true });
rmSync(dir + '/sesame.pid', { force: true });
if (file) {
  const fd = openSync(`${dir}/${file}`, 'r+');
  const len = Number(lenStr);
  writeSync(fd, mode === 'zero' ? Buffer.alloc(len) : randomBytes(len), 0, len, Number(offsetStr));
  closeSync(fd);
}
const t0 = Date.now();
const db = new PGlite(dir, { extensions: { amcheck } });
await db.waitReady;
console.log('open', Date.now() - t0);
const t1 = Date.now();
try {
  await db.exec('begin; create extension if not exists amcheck;');
  const r = await db.query(`
    with idx as materialized (
      select c.oid from pg_class c join pg_am a on a.oid = c.relam
       where c.relkind = 'i' and a.amname = 'btree' and c.relpersistence = 'p'),
    tab as materialized (
      select c.oid from pg_class c where c.relkind in ('r', 'm', 't') and c.relpersistence = 'p')
    select (select count(bt_index_check(oid, false)) from idx) as indexes,
           (select count(*) from tab, lateral verify_heapam(tab.oid)) as problems,
           (select json_agg(v) from (select tab.oid::regclass::text as rel, h.* from tab, lateral verify_heapam(tab.oid) h limit 3) v) as sample`);
  console.log(r.rows, Date.now() - t1);
} catch (e) { console.log('ERR', (e as Error).message, Date.now() - t1); }
await db.exec('rollback');
const ext = await db.query(`select extname from pg_extension`);
console.log(ext.rows);
await db.close();
