import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy treats the next request. */
export type ProxyMode =
  /** Pass it to s3rver. */
  | 'forward'
  /** Answer 503 SlowDown-style, as S3 does under load. */
  | 'unavailable'
  /** Drop the connection without an answer, as a server that goes away. */
  | 'reset';

/**
 * An HTTP proxy on loopback in front of s3rver, to make S3 fail on demand.
 * Headers pass through unchanged, so SigV4 signatures still verify.
 */
export class FlakyProxy {
  mode: ProxyMode = 'forward';
  /** Remove Content-Length from GET responses (the body arrives chunked, its size unannounced). */
  hideContentLength = false;
  /** Answer 503 to the requests this matches (given `METHOD /path?query`), whatever the mode. */
  failWhen: ((request: string) => boolean) | undefined;
  /** Cut GET response bodies after this many bytes (headers, Content-Length included, pass unchanged). */
  cutGetBodyAfter: number | undefined;
  /** Requests seen, as `METHOD /path?query`. */
  readonly requests: string[] = [];
  /** GETs to hold back: the object is fetched at once, its answer sent `ms` later (a slow read of what was current). */
  private readonly heldGets: { path: string; ms: number }[] = [];
  /** Conditional writes seen, as `METHOD /path if-match=… if-none-match=…` (s3rver ignores the conditions). */
  readonly conditionalWrites: string[] = [];
  /** Answer the next conditional write 412 PreconditionFailed, as S3 does when another writer came first. */
  conflictNextConditionalWrite = false;
  private readonly server: Server;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      const condition = (['if-match', 'if-none-match'] as const).filter((name) => req.headers[name] !== undefined);
      if ((req.method === 'PUT' || req.method === 'DELETE') && condition.length > 0) {
        this.conditionalWrites.push(`${req.method} ${req.url?.split('?')[0]} ${condition.map((name) => `${name}=${req.headers[name]}`).join(' ')}`);
        if (this.conflictNextConditionalWrite) {
          this.conflictNextConditionalWrite = false;
          req.resume();
          res.writeHead(412, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>');
          return;
        }
      }
      if (this.mode === 'reset') {
        req.socket.destroy();
        return;
      }
      if (this.mode === 'unavailable' || this.failWhen?.(`${req.method} ${req.url}`)) {
        req.resume();
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>');
        return;
      }
      const held = req.method === 'GET' ? this.heldGets.findIndex((hold) => req.url?.startsWith(hold.path)) : -1;
      const delayMs = held < 0 ? 0 : this.heldGets.splice(held, 1)[0].ms;
      const upstream = request({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const headers = { ...answer.headers };
        if (this.hideContentLength && req.method === 'GET') delete headers['content-length'];
        answer.pause();
        setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, headers);
          const cut = req.method === 'GET' ? this.cutGetBodyAfter : undefined;
          if (cut === undefined) {
            answer.pipe(res);
            return;
          }
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            const room = cut - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= cut) {
              answer.destroy();
              res.socket?.destroy(); // the connection drops mid-body, as a reset does
            }
          });
          answer.on('end', () => res.end());
          answer.resume();
        }, delayMs);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
  }

  /** Hold back the answer to the next GET whose path starts with `path` (`/bucket/key`, URL-encoded) by `ms`. */
  holdNextGet(path: string, ms: number): void {
    this.heldGets.push({ path, ms });
  }

  static async start(targetPort: number): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
