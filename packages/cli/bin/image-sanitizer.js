#!/usr/bin/env node
// The command npm links into node_modules/.bin. It is committed (not built) so
// that `npm install` / `npm ci` can link it before `npm run build` creates dist/.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('cli/dist/bin.js')) {
    process.stderr.write('image-sanitizer: not built yet; run `npm run build` in the repository first\n');
    process.exit(3);
  }
  throw error;
}
