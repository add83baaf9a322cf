#!/usr/bin/env node
// The command npm links into node_modules/.bin. It is committed (not built) so
// that `npm install` / `npm ci` can link it before `npm run build` creates dist/.
// CommonJS (bin/package.json), as dist/ is: a plain require starts no ES module loader.
'use strict';
const { join } = require('node:path');

const bundle = join(__dirname, '../dist/bin.js');
try {
  require.resolve(bundle);
} catch {
  process.stderr.write('image-sanitizer: not built yet; run `npm run build` in the repository first\n');
  process.exit(3);
}
require(bundle);
