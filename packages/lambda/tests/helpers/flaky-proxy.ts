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
  private readonly server: Server;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
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
      const upstream = request({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const headers = { ...answer.headers };
        if (this.hideContentLength && req.method === 'GET') delete headers['content-length'];
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
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
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
