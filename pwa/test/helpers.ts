// Test helpers: a scripted fetch that records requests and answers from a handler.
import { vi } from 'vitest';

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: string | null;
  headers: Headers;
  body: unknown;
}

export function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

export function problem(status: number, code: string): Response {
  return json(status, { status, title: 'x', code }, 'application/problem+json');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a multipart upload, say
  }
}

export function scriptFetch(handler: (req: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fn = vi.fn(async (target: Request | string, init?: RequestInit) => {
    const input = new Request(target, init);
    const text = await input.text();
    const req: Seen = {
      method: input.method,
      path: new URL(input.url).pathname,
      query: new URL(input.url).searchParams,
      auth: input.headers.get('Authorization'),
      headers: input.headers,
      body: text ? parse(text) : undefined,
    };
    seen.push(req);
    return handler(req);
  });
  vi.stubGlobal('fetch', fn);
  return seen;
}
