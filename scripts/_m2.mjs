import { build } from 'esbuild';
const r = await build({ stdin: { contents: `export * from './packages/core/src/index.ts';`, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'esm', write: false, metafile: true, platform: 'browser' });
for (const [k, v] of Object.entries(r.metafile.outputs)) for (const [f, i] of Object.entries(v.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput)) console.log(i.bytesInOutput, f);
