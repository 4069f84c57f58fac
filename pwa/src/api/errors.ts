// Owns the error shape the app sees: every failed call becomes an ApiError with an HTTP `status`
// (0 when the network failed) and a stable `code` taken from the problem+json body, which the
// views translate through the locale files (errors.<code>).
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  field?: string;
  extra?: unknown;
  invalid_params?: { name?: string; reason?: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly problem: Problem | null;

  constructor(status: number, code: string, problem: Problem | null = null) {
    super(problem?.detail ?? problem?.title ?? code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
    this.field = fieldOf(problem);
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

export const NETWORK_CODE = 'network.offline';

export function networkError(): ApiError {
  return new ApiError(0, NETWORK_CODE);
}

function fieldOf(problem: Problem | null): string | null {
  if (!problem) return null;
  if (typeof problem.field === 'string') return problem.field;
  const first = problem.invalid_params?.[0]?.name;
  if (first) return first;
  // Litestar's validation errors list {key, message} under `extra`.
  if (Array.isArray(problem.extra)) {
    const key = (problem.extra[0] as { key?: unknown } | undefined)?.key;
    if (typeof key === 'string') return key;
  }
  return null;
}

/** Builds an ApiError from a status and whatever body openapi-fetch parsed (object, text or nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  const problem = body && typeof body === 'object' ? (body as Problem) : null;
  const code = typeof problem?.code === 'string' && problem.code ? problem.code : `http.${status}`;
  return new ApiError(status, code, problem);
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
