// Owns the domain types the views use, derived from the generated paths (not from component
// names), so regenerating schema.d.ts from the live backend keeps them in step.
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Me = JsonOf<paths['/api/v1/me']['get']['responses'][200]>;
export type Membership = Me['memberships'][number];
export type Category = JsonOf<paths['/api/v1/communities/{community_id}/categories']['get']['responses'][200]>[number];
export type Grid = JsonOf<paths['/api/v1/communities/{community_id}/grids']['get']['responses'][200]>[number];
export type OrderPage = JsonOf<paths['/api/v1/orders']['get']['responses'][200]>;
export type Order = OrderPage['items'][number];
export type OrderDetail = JsonOf<paths['/api/v1/orders/{order_id}']['get']['responses'][200]>;
export type TimelineEvent = OrderDetail['timeline'][number];
export type OrderCreate = BodyOf<paths['/api/v1/orders']['post']>;
export type OrderQuery = NonNullable<paths['/api/v1/orders']['get']['parameters']['query']>;
export type OrderView = NonNullable<OrderQuery['view']>;
export type OrderStatus = NonNullable<OrderQuery['status']>;
export type DispatchBody = BodyOf<paths['/api/v1/orders/{order_id}/dispatch']['post']>;
export type CompleteBody = BodyOf<paths['/api/v1/orders/{order_id}/complete']['post']>;
export type RateBody = BodyOf<paths['/api/v1/orders/{order_id}/rate']['post']>;
export type Id = string | number;
export type StoredFile = JsonOf<paths['/api/v1/files']['post']['responses'][201]>;
export type TakerPage = JsonOf<paths['/api/v1/communities/{community_id}/takers']['get']['responses'][200]>;
export type Taker = TakerPage['items'][number];

/** Every verb the order state machine knows; which apply comes only from `allowed_actions`. */
export const ORDER_ACTIONS = ['dispatch', 'accept', 'decline', 'start', 'complete', 'rate', 'cancel', 'reject', 'reopen', 'complaint'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];
