/**
 * HelloAsso API v5 client (issues #5, #11), from HelloAsso's published documents:
 * - OpenAPI `helloasso.json` (github.com/HelloAsso/helloasso-open-api): server
 *   `https://api.helloasso.com/v5`, token URL `https://api.helloasso.com/oauth2/token`,
 *   `GET /payments/{paymentId}` (PaymentDetail), `GET /orders/{orderId}` (OrderDetail),
 *   `GET /organizations/{slug}/forms/{formType}/{formSlug}/payments` (ResultsWithPaginationModel
 *   of Payment: `data` nullable, `pagination.continuationToken` nullable; `sortField` Date |
 *   UpdateDate | CreationDate, `sortOrder` Asc | Desc, `pageSize`, `continuationToken`).
 * - dev.helloasso.com/docs/getting-started: `POST /oauth2/token`, form-encoded,
 *   grant_type=client_credentials (client_id, client_secret) answers access_token, refresh_token,
 *   token_type "bearer", expires_in (30 min); grant_type=refresh_token (client_id,
 *   refresh_token) renews it.
 * One token is reused until it is about to expire, then renewed with the refresh token (a new
 * client_credentials token if that fails); a 401 drops it and the call is made once more with
 * a new one. Answers are validated with zod (only the fields used; HelloAsso adds fields).
 */
import { z } from 'zod';

const cents = z.number().int().nonnegative();
const meta = z.looseObject({ createdAt: z.string().nullish(), updatedAt: z.string().nullish() }).nullish();

/** Statistics.PaymentItem: the share of this payment assigned to an item of the order. */
const paymentItem = z.looseObject({
  id: z.number().int(),
  shareAmount: cents.nullish(),
  shareItemAmount: cents.nullish(),
  shareOptionsAmount: cents.nullish(),
  amount: cents.nullish(),
  type: z.string().max(50).nullish(),
  name: z.string().max(500).nullish(),
  state: z.string().max(50).nullish(),
});

/** Statistics.RefundOperationLightModel */
const refundOperation = z.looseObject({
  id: z.number().int(),
  amount: cents.nullish(),
  amountTip: cents.nullish(),
  /** Enums.OperationState: only `Processed` has moved money */
  status: z.string().max(50).nullish(),
  meta,
});

export const helloassoPaymentSchema = z.looseObject({
  id: z.number().int().positive(),
  /** Total Amount of the payment (in cents) */
  amount: cents,
  /** Tip Amount of the payment (in cents): HelloAsso's voluntary contribution */
  amountTip: cents.nullish(),
  state: z.string().min(1).max(50),
  date: z.string().nullish(),
  paymentMeans: z.string().nullish(),
  installmentNumber: z.number().int().nullish(),
  items: z.array(paymentItem).max(1000).nullish(),
  refundOperations: z.array(refundOperation).max(1000).nullish(),
  meta,
  order: z
    .looseObject({
      id: z.number().int().optional(),
      formSlug: z.string().nullish(),
      formType: z.string().nullish(),
      organizationSlug: z.string().nullish(),
    })
    .nullish(),
  payer: z
    .looseObject({
      email: z.string().max(320).nullish(),
      firstName: z.string().max(200).nullish(),
      lastName: z.string().max(200).nullish(),
    })
    .nullish(),
});
export type HelloassoPayment = z.infer<typeof helloassoPaymentSchema>;
export type HelloassoRefundOperation = z.infer<typeof refundOperation>;

const customField = z.looseObject({ name: z.string(), answer: z.string().nullish() });
/** Statistics.OrderDetail, the parts used: items (names, custom fields) */
export const helloassoOrderSchema = z.looseObject({
  id: z.number().int(),
  items: z
    .array(
      z.looseObject({
        id: z.number().int().optional(),
        name: z.string().nullish(),
        type: z.string().nullish(),
        customFields: z.array(customField).nullish(),
      }),
    )
    .nullish(),
});
export type HelloassoOrder = z.infer<typeof helloassoOrderSchema>;

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.number().positive().nullish(),
});

const pageSchema = z.looseObject({
  data: z.array(z.unknown()).nullish(),
  pagination: z.looseObject({ continuationToken: z.string().nullish() }).nullish(),
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
  /** the clock token expiry is measured with (tests) */
  now?: () => number;
}

/** Renew this long before HelloAsso's expiry: a token must not expire between check and use. */
const EARLY_MS = 60_000;

export class HelloassoClient {
  private token: { value: string; refresh: string | null; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly credentials: HelloassoCredentials) {
    this.base = credentials.baseUrl.replace(/\/+$/, '');
    this.doFetch = credentials.fetch ?? fetch;
    this.now = credentials.now ?? Date.now;
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.credentials.timeoutMs ?? 10_000);
  }

  private async tokenRequest(form: Record<string, string>): Promise<Response> {
    return this.doFetch(`${this.base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: this.signal(),
    });
  }

  private async keep(res: Response): Promise<string> {
    const parsed = tokenSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new HelloassoError('HelloAsso answered the token request with an unexpected body', res.status);
    const ttl = (parsed.data.expires_in ?? 1800) * 1000 - EARLY_MS;
    this.token = {
      value: parsed.data.access_token,
      refresh: parsed.data.refresh_token ?? null,
      expiresAt: this.now() + Math.max(ttl, 0),
    };
    return this.token.value;
  }

  private async newToken(): Promise<string> {
    const previous = this.token;
    this.token = null;
    if (previous?.refresh) {
      const res = await this.tokenRequest({
        grant_type: 'refresh_token',
        client_id: this.credentials.clientId,
        refresh_token: previous.refresh,
      });
      if (res.ok) return this.keep(res);
      // An expired or revoked refresh token: start again from the client credentials.
    }
    const res = await this.tokenRequest({
      grant_type: 'client_credentials',
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
    });
    if (!res.ok)
      throw new HelloassoError(`HelloAsso refused the client credentials (HTTP ${res.status})`, res.status);
    return this.keep(res);
  }

  /** The current token, or one renewal shared by concurrent callers. */
  async accessToken(): Promise<string> {
    if (this.token !== null && this.token.expiresAt > this.now()) return this.token.value;
    this.pending ??= this.newToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** GET a path under /v5; null for 404. A 401 is retried once with a new token. */
  private async get(path: string): Promise<unknown> {
    const name = path.split('?')[0];
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const res = await this.doFetch(`${this.base}/v5${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: this.signal(),
      });
      if (res.status === 404) return null;
      if (res.status === 401 && attempt === 0) {
        // Revoked or expired early: drop it (and its refresh token) and ask for a new one.
        if (this.token?.value === token) this.token = null;
        continue;
      }
      if (!res.ok) throw new HelloassoError(`HelloAsso answered HTTP ${res.status} for ${name}`, res.status);
      return res.json().catch(() => {
        throw new HelloassoError(`HelloAsso answered ${name} with a body that is not JSON`, res.status);
      });
    }
  }

  async payment(paymentId: number): Promise<HelloassoPayment | null> {
    const body = await this.get(`/payments/${paymentId}`);
    if (body === null) return null;
    const parsed = helloassoPaymentSchema.safeParse(body);
    if (!parsed.success) throw new HelloassoError(`unexpected payment ${paymentId} from HelloAsso`, 200);
    return parsed.data;
  }

  async order(orderId: number): Promise<HelloassoOrder | null> {
    const body = await this.get(`/orders/${orderId}`);
    if (body === null) return null;
    const parsed = helloassoOrderSchema.safeParse(body);
    if (!parsed.success) throw new HelloassoError(`unexpected order ${orderId} from HelloAsso`, 200);
    return parsed.data;
  }

  /**
   * A form's payments, most recently updated first (`sortField=UpdateDate&sortOrder=Desc`),
   * page by page until a payment last updated before `since` (or the last page: a null or
   * absent continuationToken, or an empty page). Walking by update date rather than filtering
   * with from/to (which filter on the payment's date) finds a late refund of an old payment.
   */
  async *formPaymentsUpdatedSince(
    organizationSlug: string,
    formType: string,
    formSlug: string,
    since: Date,
    pageSize = 100,
  ): AsyncGenerator<HelloassoPayment> {
    let continuationToken: string | null = null;
    const seen = new Set<string>();
    for (;;) {
      const q = new URLSearchParams({
        pageSize: String(pageSize),
        sortField: 'UpdateDate',
        sortOrder: 'Desc',
      });
      if (continuationToken) q.set('continuationToken', continuationToken);
      const path = `/organizations/${encodeURIComponent(organizationSlug)}/forms/${encodeURIComponent(formType)}/${encodeURIComponent(formSlug)}/payments?${q}`;
      const page = pageSchema.safeParse(await this.get(path));
      if (!page.success) throw new HelloassoError('unexpected payment list from HelloAsso', 200);
      const data = page.data.data ?? [];
      for (const item of data) {
        const p = helloassoPaymentSchema.safeParse(item);
        if (!p.success) continue;
        const updated = updatedAt(p.data);
        if (updated !== null && updated < since) return;
        yield p.data;
      }
      const next = page.data.pagination?.continuationToken ?? null;
      if (data.length === 0 || next === null || seen.has(next)) return;
      seen.add(next);
      continuationToken = next;
    }
  }

  /** One list call (the settings page's connection test): how many payments the form has. */
  async probe(organizationSlug: string, formType: string, formSlug: string): Promise<number | null> {
    const q = new URLSearchParams({ pageSize: '1' });
    const body = await this.get(
      `/organizations/${encodeURIComponent(organizationSlug)}/forms/${encodeURIComponent(formType)}/${encodeURIComponent(formSlug)}/payments?${q}`,
    );
    if (body === null) return null;
    const parsed = z
      .looseObject({ pagination: z.looseObject({ totalCount: z.number().int().nullish() }).nullish() })
      .safeParse(body);
    if (!parsed.success) throw new HelloassoError('unexpected payment list from HelloAsso', 200);
    return parsed.data.pagination?.totalCount ?? 0;
  }
}

/** meta.updatedAt (else the payment's date) as an instant. */
export function updatedAt(p: HelloassoPayment): Date | null {
  return dateOf(p.meta?.updatedAt) ?? dateOf(p.date);
}

export function dateOf(text: string | null | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}
