// Owns the routes the PWA needs that the backend does not serve yet, typed in openapi-typescript's
// shape so calls stay checked. When the backend ships one, `npm run gen:api` brings it into
// schema.d.ts and its entry here is deleted. Until then a call answers 404 and the view copes.
export interface Taker {
  kind: 'user' | 'provider';
  id: number;
  name: string;
  roles?: string[];
}

export interface pendingPaths {
  /** Who a worker may assign an order to: the community's volunteers and party members, and the
   * provider organisations serving it. Asked of the backend; not in the DESIGN.md table yet. */
  '/api/v1/communities/{community_id}/takers': {
    parameters: { query?: never; header?: never; path: { community_id: number }; cookie?: never };
    get: {
      parameters: { query?: never; header?: never; path: { community_id: number }; cookie?: never };
      requestBody?: never;
      responses: {
        200: { headers: { [name: string]: unknown }; content: { 'application/json': { items: Taker[]; next_cursor: string | null } } };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
