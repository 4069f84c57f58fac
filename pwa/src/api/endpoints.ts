// Owns the calls the app makes: one function per API operation, typed by the generated schema,
// each returning data or throwing ApiError (see client.ts).
import { client, unwrap } from './client';
import { tokens, type TokenPair } from './tokens';
import type { Category, CompleteBody, Grid, DispatchBody, Id, Me, OrderAction, OrderCreate, OrderDetail, OrderPage, OrderQuery, RateBody, StoredFile, Taker, TakerPage } from './types';

export type SignInBody = { phone: string; code: string } | { phone: string; password: string };

export async function requestOtp(phone: string): Promise<number> {
  const data = await unwrap(client.POST('/api/v1/auth/otp', { body: { phone } }));
  return data?.expires_in ?? 300;
}

export async function signIn(body: SignInBody): Promise<void> {
  const pair = await unwrap(client.POST('/api/v1/auth/token', { body }));
  tokens.set(pair as TokenPair);
}

export function fetchMe(): Promise<Me> {
  return unwrap(client.GET('/api/v1/me'));
}

export function fetchCategories(communityId: Id): Promise<Category[]> {
  return unwrap(client.GET('/api/v1/communities/{community_id}/categories', {
    params: { path: { community_id: Number(communityId) } },
  }));
}

export function fetchGrids(communityId: Id): Promise<Grid[]> {
  return unwrap(client.GET('/api/v1/communities/{community_id}/grids', {
    params: { path: { community_id: Number(communityId) } },
  }));
}

export function listOrders(query: OrderQuery): Promise<OrderPage> {
  return unwrap(client.GET('/api/v1/orders', { params: { query } }));
}

export function getOrder(id: Id): Promise<OrderDetail> {
  return unwrap(client.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: Number(id) } } }));
}

/** The Idempotency-Key makes a replay (offline queue, double tap) return the first answer. */
export function createOrder(body: OrderCreate, idempotencyKey: string): Promise<OrderDetail> {
  return unwrap(client.POST('/api/v1/orders', {
    body,
    params: { header: { 'Idempotency-Key': idempotencyKey } },
  })) as Promise<OrderDetail>;
}

export type ActionBody =
  | { action: 'dispatch'; body: DispatchBody }
  | { action: 'complete'; body: CompleteBody }
  | { action: 'rate'; body: RateBody }
  | { action: 'decline' | 'cancel' | 'reject' | 'reopen' | 'complaint'; body: { reason: string } }
  | { action: 'accept' | 'start'; body?: Record<string, never> };

export function act(id: Id, req: ActionBody): Promise<OrderDetail> {
  // Every action shares one route shape; the literal path is only there to satisfy the typing.
  const path = `/api/v1/orders/{order_id}/${req.action satisfies OrderAction}` as '/api/v1/orders/{order_id}/cancel';
  return unwrap(client.POST(path, {
    params: { path: { order_id: Number(id) } },
    body: (req.body ?? {}) as { reason: string },
  }));
}

/** Everyone an order may go to, following the cursor to the end (a community has dozens, not
 * thousands); with a category, only those who may take that kind of service. */
export async function listTakers(communityId: Id, categoryId?: Id | null): Promise<Taker[]> {
  const items: Taker[] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; category_id?: number; cursor?: string } = { limit: 100 };
    if (categoryId != null) query.category_id = Number(categoryId);
    if (cursor) query.cursor = cursor;
    const page: TakerPage = await unwrap(client.GET('/api/v1/communities/{community_id}/takers', {
      params: { path: { community_id: Number(communityId) }, query },
    }));
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Stores one photo (the server re-encodes it without EXIF/GPS); attach it with `photo_ids`. */
export async function uploadPhoto(photo: Blob): Promise<StoredFile> {
  const form = new FormData();
  form.append('data', photo, 'photo.jpg');
  return unwrap(client.POST('/api/v1/files', {
    body: form as unknown as { data: string },
    bodySerializer: (b: unknown) => b as FormData,
  })) as Promise<StoredFile>;
}
