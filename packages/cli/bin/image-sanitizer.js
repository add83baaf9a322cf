#!/usr/bin/env node
// The command npm links into node_modules/.bin. It is committed (not built) so
// that `npm install` / `npm ci` can link it before `npm run build` creates dist/.
// CommonJS (bin/package.json), as dist/ is: a plain require starts no ES module loader.
// dist/launch.js runs dist/bin.js through V8's code cache (see src/launch.ts).
'use strict';
const { join } = require('node:path');

const dist = join(__dirname, '../dist');
try {
  require.resolve(join(dist, 'launch.js'));
  require.resolve(join(dist, 'bin.js'));
} catch {
  process.stderr.write('image-sanitizer: not built yet; run `npm run build` in the repository first\n');
  process.exit(3);
}
require(join(dist, 'launch.js')).launch(join(dist, 'bin.js'));
