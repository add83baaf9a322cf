// A tiny static server for the page: GET and HEAD of the files in dist/, on 127.0.0.1 only.
// Every response carries the Content-Security-Policy that keeps the photos on the device:
// scripts, styles and workers from this origin only, no fetch/XHR/WebSocket anywhere, no form posts.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';

/** The policy of every page; `connect` is the upload example's allowance (the main page's is 'none'). */
export function contentSecurityPolicy(connect = "'none'") {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:", // thumbnails and previews are blob: URLs made in the page
    `connect-src ${connect}`, // the main page sends nothing anywhere, not even back to this server
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Serves `root` (default: dist/ beside this file) and resolves once listening. `port` 0 picks a free one.
 * `uploadConnectSrc` is where upload.html (the upload example) may PUT: the S3 endpoint, default any https: origin.
 */
export function startServer({ port = 0, root = join(import.meta.dirname, 'dist'), uploadConnectSrc = 'https:' } = {}) {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const headers = {
      'Content-Security-Policy': path === '/upload.html' ? contentSecurityPolicy(uploadConnectSrc) : CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const name = path === '/' ? 'index.html' : path.slice(1);
    const extension = name.slice(name.lastIndexOf('.'));
    // Only flat names of known types: no '/', no '..', nothing outside root.
    if (!/^[a-z0-9][a-z0-9.-]*$/i.test(name) || name.includes('..') || !(extension in TYPES)) {
      response.writeHead(404, headers).end();
      return;
    }
    try {
      const body = await readFile(join(root, name));
      response.writeHead(200, { ...headers, 'Content-Type': TYPES[/** @type {keyof typeof TYPES} */ (extension)] });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, headers).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done(undefined))),
      });
    });
  });
}

if (process.argv[1] === import.meta.filename) {
  const port = Number(process.env.WEB_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`WEB_PORT must be a port number (0-65535), got ${process.env.WEB_PORT}`);
    process.exit(1);
  }
  const { url } = await startServer({ port, uploadConnectSrc: process.env.WEB_UPLOAD_CONNECT_SRC });
  console.log(`image-sanitizer web page: ${url}  (upload example: ${url}upload.html; Ctrl+C to stop)`);
}
