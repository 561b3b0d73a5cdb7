/**
 * HelloAsso API v5 client (issue #5): OAuth2 client credentials (`POST /oauth2/token`,
 * grant_type=client_credentials, form-encoded), then bearer calls under `/v5`. Tokens are
 * kept until shortly before they expire. Every answer is validated with zod (only the fields
 * used here; HelloAsso adds fields freely). No retries: the webhook answers 503 on failure so
 * HelloAsso delivers again, and the sync command can be rerun.
 */
import { z } from 'zod';

export const helloassoPaymentSchema = z.looseObject({
  id: z.number().int().positive(),
  amount: z.number().int().nonnegative(),
  state: z.string().min(1).max(50),
  date: z.string().optional(),
  paymentMeans: z.string().optional(),
  order: z
    .looseObject({
      id: z.number().int().optional(),
      formSlug: z.string().optional(),
      formType: z.string().optional(),
      organizationSlug: z.string().optional(),
    })
    .optional(),
  payer: z
    .looseObject({
      email: z.string().max(320).optional(),
      firstName: z.string().max(200).optional(),
      lastName: z.string().max(200).optional(),
    })
    .optional(),
});
export type HelloassoPayment = z.infer<typeof helloassoPaymentSchema>;

const customField = z.looseObject({ name: z.string(), answer: z.string().optional() });
export const helloassoOrderSchema = z.looseObject({
  id: z.number().int(),
  items: z.array(z.looseObject({ customFields: z.array(customField).optional() })).optional(),
});
export type HelloassoOrder = z.infer<typeof helloassoOrderSchema>;

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
});

const pageSchema = z.looseObject({
  data: z.array(z.unknown()),
  pagination: z
    .looseObject({
      pageIndex: z.number().int().optional(),
      totalPages: z.number().int().optional(),
      continuationToken: z.string().optional(),
    })
    .optional(),
});

export class HelloassoError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface HelloassoCredentials {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class HelloassoClient {
  private token: { value: string; expiresAt: number } | null = null;
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly credentials: HelloassoCredentials) {
    this.base = credentials.baseUrl.replace(/\/+$/, '');
    this.doFetch = credentials.fetch ?? fetch;
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.credentials.timeoutMs ?? 10_000);
  }

  private async accessToken(): Promise<string> {
    if (this.token !== null && this.token.expiresAt > Date.now()) return this.token.value;
    const res = await this.doFetch(`${this.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
      }).toString(),
      signal: this.signal(),
    });
    if (!res.ok)
      throw new HelloassoError(`HelloAsso refused the client credentials (HTTP ${res.status})`, res.status);
    const parsed = tokenSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new HelloassoError('HelloAsso answered the token request with an unexpected body', res.status);
    // Renew a minute early: a token must not expire between this check and HelloAsso's.
    const ttl = (parsed.data.expires_in ?? 1800) * 1000 - 60_000;
    this.token = { value: parsed.data.access_token, expiresAt: Date.now() + Math.max(ttl, 0) };
    return this.token.value;
  }

  /** GET a path under the API; null for 404. */
  private async get(path: string): Promise<unknown> {
    const token = await this.accessToken();
    const res = await this.doFetch(`${this.base}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: this.signal(),
    });
    if (res.status === 404) return null;
    if (res.status === 401) this.token = null;
    if (!res.ok)
      throw new HelloassoError(`HelloAsso answered HTTP ${res.status} for ${path.split('?')[0]}`, res.status);
    return res.json().catch(() => {
      throw new HelloassoError(
        `HelloAsso answered ${path.split('?')[0]} with a body that is not JSON`,
        res.status,
      );
    });
  }

  async payment(paymentId: number): Promise<HelloassoPayment | null> {
    const body = await this.get(`/v5/payments/${paymentId}`);
    if (body === null) return null;
    const parsed = helloassoPaymentSchema.safeParse(body);
    if (!parsed.success) throw new HelloassoError(`unexpected payment ${paymentId} from HelloAsso`, 200);
    return parsed.data;
  }

  async order(orderId: number): Promise<HelloassoOrder | null> {
    const body = await this.get(`/v5/orders/${orderId}`);
    if (body === null) return null;
    const parsed = helloassoOrderSchema.safeParse(body);
    if (!parsed.success) throw new HelloassoError(`unexpected order ${orderId} from HelloAsso`, 200);
    return parsed.data;
  }

  /** Every payment of a form between two instants, page by page. */
  async *formPayments(
    organizationSlug: string,
    formType: string,
    formSlug: string,
    from: Date,
    to: Date,
  ): AsyncGenerator<HelloassoPayment> {
    let pageIndex = 1;
    let continuationToken: string | undefined;
    for (let guard = 0; guard < 10_000; guard++) {
      const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), pageSize: '100' });
      if (continuationToken) q.set('continuationToken', continuationToken);
      else q.set('pageIndex', String(pageIndex));
      const path = `/v5/organizations/${encodeURIComponent(organizationSlug)}/forms/${encodeURIComponent(formType)}/${encodeURIComponent(formSlug)}/payments?${q}`;
      const page = pageSchema.safeParse(await this.get(path));
      if (!page.success) throw new HelloassoError('unexpected payment list from HelloAsso', 200);
      for (const item of page.data.data) {
        const p = helloassoPaymentSchema.safeParse(item);
        if (p.success) yield p.data;
      }
      const pg = page.data.pagination;
      if (page.data.data.length === 0) return;
      if (pg?.totalPages !== undefined && pageIndex >= pg.totalPages) return;
      if (pg?.totalPages === undefined && !pg?.continuationToken) return;
      if (pg?.continuationToken && pg.continuationToken === continuationToken) return;
      continuationToken = pg?.totalPages === undefined ? pg?.continuationToken : undefined;
      pageIndex++;
    }
  }
}
