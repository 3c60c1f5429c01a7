// A module loader hook (node --import): appends every resolved module URL
// to the file named by $DAVE_IMPORT_LOG, so a test can see what an import loaded.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.DAVE_IMPORT_LOG, r.url + '\\n');
  return r;
}`),
  import.meta.url,
);
