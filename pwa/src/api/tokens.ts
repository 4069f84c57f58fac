// Owns the session tokens: the access/refresh pair kept in localStorage so a reload or a cold
// start (even offline) stays signed in. Nothing else writes this key; the only other reader is
// the landing view's first request (first-request.ts), before the app has started.
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
}

export const AUTH_KEY = 'linli.auth';

function read(): TokenPair | null {
  try {
    const raw = localStorage.getItem(AUTH_KEY);
    return raw ? (JSON.parse(raw) as TokenPair) : null;
  } catch {
    return null;
  }
}

export const tokens = {
  access(): string | null {
    return read()?.access_token ?? null;
  },
  refresh(): string | null {
    return read()?.refresh_token ?? null;
  },
  set(pair: TokenPair): void {
    localStorage.setItem(AUTH_KEY, JSON.stringify({ access_token: pair.access_token, refresh_token: pair.refresh_token }));
  },
  clear(): void {
    localStorage.removeItem(AUTH_KEY);
  },
};
