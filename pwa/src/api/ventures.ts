// Owns the micro-venture calls (公益创投 / 金点子): rounds, needs, proposals, review, objections,
// comments, project delivery and the public disclosure pages. Types come from the generated
// schema where the backend declares them; project and disclosure answers are typed here.
import { client, unwrap } from './client';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type Round = JsonOf<paths['/api/v1/ventures/rounds/{round_id}']['get']['responses'][200]>;
export type Need = JsonOf<paths['/api/v1/ventures/rounds/{round_id}/needs']['get']['responses'][200]>['items'][number];
export type Proposal = JsonOf<paths['/api/v1/ventures/proposals/{proposal_id}']['get']['responses'][200]>;
export type ProposalDraft = BodyOf<paths['/api/v1/ventures/rounds/{round_id}/proposals']['post']>;
export type ScoreBody = BodyOf<paths['/api/v1/ventures/proposals/{proposal_id}/review']['post']>;
export type SelectionRow = JsonOf<paths['/api/v1/ventures/rounds/{round_id}/selection']['get']['responses'][200]>['items'][number];


export const PHASES = ['collecting', 'supporting', 'reviewing', 'announcing', 'implementing', 'evaluating', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export interface ProjectLine {
  id: number; item: string; quantity: number; unit_price_fen: number; total_fen: number; allowed_fen: number; spent_fen: number;
}
export interface Project {
  proposal_id: number;
  round_id: number;
  title: string;
  status: string;
  contract_no: string | null;
  approved_fen: number;
  disbursed_fen: number;
  spent_fen: number;
  progress_pct: number;
  budget_lines: ProjectLine[];
  disbursements: { id: number; amount_fen: number; note: string | null; released_at: string }[];
  expenses: { id: number; budget_line_id: number; amount_fen: number; spent_on: string; payee: string; receipt_file_id: number | null; note: string | null }[];
  milestones: { id: number; title: string; due_on: string; evidence: string | null; done_at: string | null }[];
  evaluation: { score: number; passed: boolean; report: string } | null;
}
export interface Objection { id: number; proposal_id: number; reason: string; answer: string | null; created_at: string }
export interface Disclosure {
  round: Round;
  totals: { pool_fen: number; approved_fen: number; disbursed_fen: number; spent_fen: number };
  ranking: { proposal_id: number; title: string; total_fen: number; supports: number | null; mean_score: number | null; rank: number | null; funded: boolean | null; reason: string | null }[];
  projects: Project[];
  objections: Objection[];
}
export interface Comment { id: number; author: string | null; body: string | null; hidden: boolean; moderation: string | null; created_at: string }

/** Yuan with two decimals from fen, e.g. 1500000 → "15,000.00". */
export function yuan(fen: number): string {
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

const r = (round_id: number | string) => ({ params: { path: { round_id: Number(round_id) } } });
const p = (proposal_id: number | string) => ({ params: { path: { proposal_id: Number(proposal_id) } } });

export const listRounds = () => unwrap(client.GET('/api/v1/ventures/rounds'));
export const getRound = (id: number | string) => unwrap(client.GET('/api/v1/ventures/rounds/{round_id}', r(id)));
export const advanceRound = (id: number | string, to: Phase) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/advance', { ...r(id), body: { to } }));
export const listNeeds = (id: number | string) => unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/needs', r(id)));
export const postNeed = (id: number | string, title: string, description: string) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/needs', { ...r(id), body: { title, description } }));
export const listProposals = (id: number | string, view: 'all' | 'mine' | 'to_review' = 'all') =>
  unwrap(client.GET('/api/v1/ventures/rounds/{round_id}/proposals', { ...r(id), params: { ...r(id).params, query: { view } } }));
export const createProposal = (id: number | string, body: ProposalDraft) =>
  unwrap(client.POST('/api/v1/ventures/rounds/{round_id}/proposals', { ...r(id), body }));
export const getProposal = (id: number | string) => unwrap(client.GET('/api/v1/ventures/proposals/{proposal_id}', p(id)));
export const submitProposal = (id: number | string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/submit', p(id)));
export const supportProposal = (id: number | string) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/support', p(id)));
export const reviewProposal = (id: number | string, body: ScoreBody) =>
  unwrap(client.POST('/api/v1/ventures/proposals/{proposal_id}/review', { ...p(id), body }));
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
export const getDisclosure = async (id: number | string) =>
  (await unwrap(client.GET('/api/v1/ventures/public/rounds/{round_id}', r(id)))) as unknown as Disclosure;
export const exportUrl = (id: number | string, format: 'csv' | 'xlsx') =>
  `/api/v1/ventures/public/rounds/${Number(id)}/export?format=${format}`;
