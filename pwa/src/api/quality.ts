// Owns the calls of the quality and volunteer screens: callbacks, dashboard, rankings, points,
// rewards and party registration — typed by the generated schema, returning data or throwing.
import { client, unwrap } from './client';
import type { paths } from './schema';
import type { Id } from './types';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type CallbackList = JsonOf<paths['/api/v1/communities/{community_id}/callback-lists']['post']['responses'][200]>;
export type CallbackItem = CallbackList['items'][number];
export type CallbackRecord = BodyOf<paths['/api/v1/callbacks/{callback_id}/record']['post']>;
export type CallbackRate = JsonOf<paths['/api/v1/communities/{community_id}/callback-rates']['get']['responses'][200]>[number];
export type Dashboard = JsonOf<paths['/api/v1/quality/communities/{community_id}/dashboard']['get']['responses'][200]>;
export type Ranking = JsonOf<paths['/api/v1/quality/rankings']['get']['responses'][200]>;
export type Statement = JsonOf<paths['/api/v1/communities/{community_id}/points/statement']['get']['responses'][200]>;
export type Reward = JsonOf<paths['/api/v1/communities/{community_id}/rewards']['get']['responses'][200]>[number];
export type PartyRegistration = JsonOf<paths['/api/v1/party-registrations/mine']['get']['responses'][200]>[number];

const community = (id: Id) => ({ path: { community_id: Number(id) } });

export function callbackList(communityId: Id, month: string): Promise<CallbackList> {
  return unwrap(client.POST('/api/v1/communities/{community_id}/callback-lists', {
    params: community(communityId), body: { month, size: 250 },
  }));
}

export function recordCallback(id: number, body: CallbackRecord) {
  return unwrap(client.POST('/api/v1/callbacks/{callback_id}/record', {
    params: { path: { callback_id: id } }, body,
  }));
}

export function callbackRates(communityId: Id): Promise<CallbackRate[]> {
  return unwrap(client.GET('/api/v1/communities/{community_id}/callback-rates', { params: community(communityId) }));
}

export function dashboard(communityId: Id): Promise<Dashboard> {
  return unwrap(client.GET('/api/v1/quality/communities/{community_id}/dashboard', { params: community(communityId) }));
}

export function ranking(kind: 'provider' | 'team'): Promise<Ranking> {
  return unwrap(client.GET('/api/v1/quality/rankings', { params: { query: { kind } } }));
}

export function statement(communityId: Id): Promise<Statement> {
  return unwrap(client.GET('/api/v1/communities/{community_id}/points/statement', { params: community(communityId) }));
}

export function rewards(communityId: Id): Promise<Reward[]> {
  return unwrap(client.GET('/api/v1/communities/{community_id}/rewards', { params: community(communityId) }));
}

export function redeem(rewardId: number) {
  return unwrap(client.POST('/api/v1/rewards/{reward_id}/redeem', {
    params: { path: { reward_id: rewardId } }, body: { quantity: 1 },
  }));
}

export function setLeaderboardOptOut(optOut: boolean) {
  return unwrap(client.PUT('/api/v1/volunteers/me/preferences', { body: { leaderboard_opt_out: optOut } }));
}

export function myPartyRegistrations(): Promise<PartyRegistration[]> {
  return unwrap(client.GET('/api/v1/party-registrations/mine'));
}

export function declareParty(communityId: Id, branch: string, workUnit: string) {
  return unwrap(client.POST('/api/v1/communities/{community_id}/party-registrations', {
    params: community(communityId), body: { branch, work_unit: workUnit },
  }));
}

export function partyCheckin(id: number, note: string) {
  return unwrap(client.POST('/api/v1/party-registrations/{registration_id}/checkin', {
    params: { path: { registration_id: id } }, body: { note },
  }));
}

/** The previous calendar month, as the callback team works on it: "2026-10". */
export function previousMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
