// Owns the micro-venture calls (公益创投 / 金点子): rounds, needs, proposals, review, objections,
// comments, project delivery and the public disclosure pages. Types come from the generated
// schema (pwa/src/api/schema.d.ts, `make api-types`).
import { client, unwrap } from './client';
import type { components, paths } from './schema';

type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type S = components['schemas'];

export type Round = S['RoundPublic'];
export type Need = S['NeedPublic'];
export type Proposal = S['ProposalPublic'];
export type ProposalDraft = BodyOf<paths['/api/v1/ventures/rounds/{round_id}/proposals']['post']>;
export type ScoreBody = BodyOf<paths['/api/v1/ventures/proposals/{proposal_id}/review']['post']>;
export type SelectionRow = S['SelectionRow'];
export type Project = S['ProjectDetail'];
export type PublicProject = S['ProjectPublic'];
export type ProjectLine = S['ProjectLine'];
export type Objection = S['ObjectionPublic'];
export type Disclosure = S['DisclosurePublic'];
export type ExpenseBody = S['ExpenseCreate'];
export type AdjustmentBody = S['AdjustmentCreate'];

export const PHASES = ['collecting', 'supporting', 'reviewing', 'announcing', 'implementing', 'evaluating', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export interface Comment { id: number; author: string | null; body: string | null; hidden: boolean; moderation: string | null; created_at: string }
export interface Page<T> { items: T[]; next_cursor?: string | null }

/** Yuan with two decimals from fen, e.g. 1500000 → "15,000.00". */
export function yuan(fen: number): string {
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

const r = (round_id: number | string) => ({ params: { path: { round_id: Number(round_id) } } });
const p = (proposal_id: number | string) => ({ params: { path: { proposal_id: Number(proposal_id) } } });

export const listRounds = (cursor?: string | null) =>
  unwrap(client.GET('/api/v1/ventures/rounds', { params: { query: { cursor: cursor ?? undefined } } }));
export const getRound = (id: number | string) => unwrap(client.GET('/api/v1/ventures/rounds/{round_id}', r(id)));
export const advanceRound = (id: number | string, to: Phase) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/advance', { ...r(id), body: { to } }));
export const listNeeds = (id: number | string) => unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/needs', r(id)));
export const postNeed = (id: number | string, title: string, description: string) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/needs', { ...r(id), body: { title, description } }));
export const listProposals = (id: number | string, view: 'all' | 'mine' | 'to_review' = 'all', cursor?: string | null) =>
  unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/proposals', {
    params: { ...r(id).params, query: { view, cursor: cursor ?? undefined } },
  }));
export const createProposal = (id: number | string, body: ProposalDraft) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/proposals', { ...r(id), body }));
export const getProposal = (id: number | string) => unwrap(client.GET('/api/v1/ventures/proposals/{proposal_id}', p(id)));
export const submitProposal = (id: number | string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/submit', p(id)));
export const supportProposal = (id: number | string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/support', p(id)));
export const reviewProposal = (id: number | string, body: ScoreBody) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/review', { ...p(id), body }));
export const judgeEligibility = (id: number | string, eligible: boolean, reason: string | null) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/eligibility', { ...p(id), body: { eligible, reason } }));
export const recuse = (id: number | string, reason: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/recuse', { ...p(id), body: { reason } }));
export const objectTo = (id: number | string, reason: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/objections', { ...p(id), body: { reason } }));
export const listComments = async (id: number | string) =>
  (await unwrap(client.GET('/api/v1/ventures/proposals/{proposal_id}/comments', p(id)))) as unknown as { items: Comment[] };
export const addComment = (id: number | string, body: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/comments', { ...p(id), body: { body } }));
export const reportComment = (id: number) =>
  unwrap(client.POST('/api/v1/ventures/comments/{comment_id}/report', { params: { path: { comment_id: id } }, body: {} }));
export const getSelection = (id: number | string) =>
  unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/selection', r(id)));
export const getDisclosure = (id: number | string) =>
  unwrap(client.GET('/api/v1/ventures/public/rounds/{round_id}', r(id)));
export const exportUrl = (id: number | string, format: 'csv' | 'xlsx') =>
  `/api/v1/ventures/public/rounds/${Number(id)}/export?format=${format}`;
/** A disclosed project's receipt or milestone photo (or its thumbnail): public, so a plain URL. */
export const publicFileUrl = (id: number, thumbnail = false) =>
  `/api/v1/ventures/public/files/${Number(id)}${thumbnail ? '/thumbnail' : ''}`;

// --- needs screening, 公示 objections -------------------------------------------------------
export const screenNeed = (id: number, selected: boolean, reason: string | null) =>
  unwrap(client.POST('/api/v1/ventures/needs/{need_id}/screen', { params: { path: { need_id: id } }, body: { selected, reason } }));
export const deriveNeeds = (id: number | string, since: string) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/derive-needs', { ...r(id), body: { since, min_orders: 1 } }));
export const listObjections = (id: number | string) =>
  unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/objections', r(id)));
export const answerObjection = (id: number, answer: string) =>
  unwrap(client.POST('/api/v1/ventures/objections/{objection_id}/answer', { params: { path: { objection_id: id } }, body: { answer } }));

// --- a funded project's delivery ------------------------------------------------------------
export const getProject = (id: number | string) =>
  unwrap(client.GET('/api/v1/ventures/proposals/{proposal_id}/project', p(id)));
export const signContract = (id: number | string, contract_no: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/contract', { ...p(id), body: { contract_no } }));
export const addMilestone = (id: number | string, title: string, due_on: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/milestones', { ...p(id), body: { title, due_on } }));
export const completeMilestone = (id: number, evidence: string) =>
  unwrap(client.POST('/api/v1/ventures/milestones/{milestone_id}/complete', { params: { path: { milestone_id: id } }, body: { evidence } }));
export const releaseTranche = (id: number | string, amount_fen: number, note: string | null) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/disbursements', { ...p(id), body: { amount_fen, note } }));
export const recordExpense = (id: number | string, body: ExpenseBody) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/expenses', { ...p(id), body }));
export const adjustBudget = (id: number | string, body: AdjustmentBody) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/adjustments', { ...p(id), body }));
export const evaluateProject = (id: number | string, score: number, report: string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/evaluation', { ...p(id), body: { score, report } }));

/** Uploads a photo (a receipt, 发票) as the multipart field `data`; answers the stored file. */
export const uploadPhoto = (file: File) =>
  unwrap(client.POST('/api/v1/files', {
    body: { data: '' },
    bodySerializer: () => {
      const form = new FormData();
      form.append('data', file);
      return form;
    },
  }));

/** Fen from a yuan amount typed by a person ("1,200.5" → 120050); NaN when it is not one. */
export function fen(yuanText: string): number {
  const value = Number(yuanText.replace(/[,，\s]/g, ''));
  return Number.isFinite(value) && value > 0 ? Math.round(value * 100) : NaN;
}
