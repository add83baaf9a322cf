// s3rver 3.7 ships no types; this is the part of its API the local stack uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    run(): Promise<{ address: string; port: number; family: string }>;
    close(): Promise<void>;
    /** Create the `configureBuckets` buckets (done by `run()`, needed when serving through `callback()`). */
    configureBuckets(): Promise<void>;
    /** The request listener, for a server of one's own. */
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }

  export default S3rver;
}
