// A tiny Hugging Face hub on 127.0.0.1:0 for tests: model-info API, resolve → CDN redirect, Range, scripted failures.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FakeRepo {
  commit: string;
  /** file name → served bytes */
  files: Map<string, Uint8Array>;
  /** file name → bytes the API advertises (checksums computed from these); defaults to the served bytes */
  advertised?: Map<string, Uint8Array>;
  /** files stored in LFS (sha256 in the API); the others get a git blob id */
  lfs: Set<string>;
}

export interface FakeHubOptions {
  /** Drop the connection half-way through the first CDN request for these files. */
  dropOnce?: Set<string>;
  /** Required bearer token. @default none */
  token?: string;
}

export interface RequestLog {
  path: string;
  range?: string;
  auth?: string;
}

export class FakeHub {
  readonly requests: RequestLog[] = [];
  private readonly dropped = new Set<string>();
  private constructor(
    private readonly servers: Server[],
    /** The hub (API and resolve URLs). */
    readonly url: string,
    /** The CDN that resolve redirects to: another origin, as on the real hub. */
    readonly cdnUrl: string,
  ) {}

  static async start(repos: Map<string, FakeRepo>, options: FakeHubOptions = {}): Promise<FakeHub> {
    let hub: FakeHub;
    const listen = async () => {
      const server = createServer((req, res) => hub.handle(req, res, repos, options));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      return { server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` };
    };
    const api = await listen();
    const cdn = await listen();
    hub = new FakeHub([api.server, cdn.server], api.url, cdn.url);
    return hub;
  }

  private handle(req: IncomingMessage, res: ServerResponse, repos: Map<string, FakeRepo>, options: FakeHubOptions): void {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push({ path: url.pathname, range: req.headers.range, auth: req.headers.authorization });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}` && !url.pathname.startsWith("/cdn/")) {
      res.writeHead(401).end("unauthorized");
      return;
    }
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const repo = repos.get(m[1]!);
      if (!repo) return void res.writeHead(404).end("{}");
      const siblings = [...repo.files.keys()].map((name) => {
        const bytes = repo.advertised?.get(name) ?? repo.files.get(name)!;
        if (repo.lfs.has(name)) {
          return { rfilename: name, blobId: "0".repeat(40), size: 130, lfs: { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, pointerSize: 130 } };
        }
        const blob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
        return { rfilename: name, blobId: blob, size: bytes.length };
      });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: m[1], sha: repo.commit, siblings }));
      return;
    }
    m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (m) {
      // the real hub redirects LFS files to a CDN; ours redirects every file once
      res.writeHead(302, { location: `${this.cdnUrl}/cdn/${m[1]}/${m[3]}` }).end();
      return;
    }
    m = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    const repo = m ? repos.get(m[1]!) : undefined;
    const bytes = m && repo ? repo.files.get(decodeURIComponent(m[2]!)) : undefined;
    if (!m || !bytes) return void res.writeHead(404).end("not found");
    const name = decodeURIComponent(m[2]!);
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range) {
      start = Number(range[1]);
      if (start >= bytes.length) return void res.writeHead(416).end();
    }
    const body = bytes.subarray(start);
    const headers = { "content-length": String(body.length), "content-type": "application/octet-stream", "accept-ranges": "bytes" };
    res.writeHead(range ? 206 : 200, range ? { ...headers, "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : headers);
    if (options.dropOnce?.has(name) && !this.dropped.has(name)) {
      this.dropped.add(name);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  cdnRequests(file: string): RequestLog[] {
    return this.requests.filter((r) => r.path.startsWith("/cdn/") && r.path.endsWith(`/${file}`));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((s) => {
        s.closeAllConnections();
        return new Promise<void>((resolve) => s.close(() => resolve()));
      }),
    );
  }
}
