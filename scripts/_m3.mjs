import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ stdin: { contents: `export * from './packages/core/src/index.ts';`, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'esm', write: false, platform: 'browser' });
const t = r.outputFiles[0].text;
const strs = t.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g) ?? [];
const total = strs.reduce((a, s) => a + s.length, 0);
console.log('strings', strs.length, total, 'gz of strings', gzipSync(strs.join('')).length);
console.log(strs.sort((a,b)=>b.length-a.length).slice(0,40).join('\n'));
