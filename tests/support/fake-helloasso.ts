/**
 * A local fake of HelloAsso's API v5 (issues #5, #11), node:http on 127.0.0.1 port 0, rebuilt
 * field by field from HelloAsso's published documents:
 * - OpenAPI `helloasso.json` (github.com/HelloAsso/helloasso-open-api, components.schemas):
 *   Statistics.PaymentDetail / Payment (id, amount, amountTip, date, state, paymentMeans,
 *   installmentNumber, cashOutState, items[] PaymentItem {id, shareAmount, shareItemAmount,
 *   shareOptionsAmount, amount, type, name, state}, refundOperations[]
 *   RefundOperationLightModel {id, amount, amountTip, status, meta}, meta {createdAt,
 *   updatedAt}, order OrderLight, payer), Statistics.OrderDetail (items[] OrderItem with
 *   customFields and payments[] SharePayment, payments[] OrderPayment with items[] ShareItem,
 *   amount {total, vat, discount}), Common.ResultsWithPaginationModel (data nullable,
 *   pagination {pageSize, totalCount, pageIndex, totalPages, continuationToken nullable}),
 *   and the list parameters of GET /organizations/{org}/forms/{formType}/{formSlug}/payments:
 *   from, to (exclusive; "Date Filter": on the payment's date), pageSize (default 20),
 *   continuationToken, states, sortOrder (Asc | Desc, default Desc), sortField (Date |
 *   UpdateDate | CreationDate, default Date).
 * - dev.helloasso.com/docs/getting-started: POST /oauth2/token (x-www-form-urlencoded),
 *   grant_type=client_credentials with client_id + client_secret, or grant_type=refresh_token
 *   with client_id + refresh_token; answers access_token, refresh_token, token_type "bearer",
 *   expires_in (the access token lives 30 min).
 * - dev.helloasso.com/docs notification examples ("Paiement autorisé sur un formulaire de
 *   don", "… sur un checkout", "Commande créé …"): the bodies' shapes and values.
 * The tip is counted in `amount` (amount = Σ shareAmount + amountTip), as issue #11 observed
 * ("the whole amount is credited … a tip … lands on the card"); `tipInAmount = false` serves
 * the other reading. The first page is asked without a token, the last page's token is null.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_CLIENT = { clientId: 'lab-client', clientSecret: 'lab-secret' };
export const ORG = 'la-machinerie';

export interface FakeShare {
  itemId: number;
  name: string;
  /** Enums.TierType: Product, Payment, Membership, Donation… */
  type: string;
  /** the item's total price (all installments) */
  itemAmount: number;
  /** this payment's share of the item alone */
  share: number;
  /** this payment's share of the item's extra options */
  options?: number;
  customFields?: { name: string; answer: string }[];
}

export interface FakeRefund {
  id: number;
  amount: number;
  amountTip?: number;
  /** Enums.OperationState */
  status: string;
  createdAt: string;
}

export interface FakePayment {
  id: number;
  orderId: number;
  email: string;
  firstName: string;
  lastName: string;
  state: string;
  date: string;
  updatedAt: string;
  amountTip: number;
  shares: FakeShare[];
  refunds: FakeRefund[];
  installmentNumber: number;
  formSlug: string;
  formType: string;
}

export interface PayInput {
  id: number;
  email: string;
  /** the machine-card item's share (shorthand for one "Carte machine" Product share) */
  card?: number;
  tip?: number;
  others?: { name: string; type: string; cents: number }[];
  shares?: FakeShare[];
  orderId?: number;
  state?: string;
  date?: string;
  updatedAt?: string;
  installmentNumber?: number;
  formSlug?: string;
  customFields?: { name: string; answer: string }[];
}

const DEFAULT_DATE = '2026-03-05T14:11:15.0825381+01:00';

export class FakeHelloasso {
  readonly payments = new Map<number, FakePayment>();
  /** counts per grant_type of successful token requests */
  readonly tokenCalls = { client_credentials: 0, refresh_token: 0 };
  listRequests = 0;
  paymentRequests = 0;
  /** when false, `amount` leaves the tip out */
  tipInAmount = true;
  /** the fake's clock for token expiry (ms); tests move it */
  clock = Date.parse('2026-03-05T14:00:00Z');
  private tokens = new Map<string, number>();
  private refreshTokens = new Set<string>();
  private serial = 0;
  private server: Server | null = null;
  url = '';

  get tokenRequests(): number {
    return this.tokenCalls.client_credentials + this.tokenCalls.refresh_token;
  }

  /** A payment as HelloAsso records it; returns it for further changes. */
  pay(p: PayInput): FakePayment {
    const shares: FakeShare[] = p.shares ?? [
      ...(p.card !== undefined
        ? [
            {
              itemId: (p.orderId ?? p.id + 10_000) * 10 + 1,
              name: 'Carte machine',
              type: 'Product',
              itemAmount: p.card,
              share: p.card,
              ...(p.customFields ? { customFields: p.customFields } : {}),
            },
          ]
        : []),
      ...(p.others ?? []).map((o, i) => ({
        itemId: (p.orderId ?? p.id + 10_000) * 10 + 2 + i,
        name: o.name,
        type: o.type,
        itemAmount: o.cents,
        share: o.cents,
      })),
    ];
    const payment: FakePayment = {
      id: p.id,
      orderId: p.orderId ?? p.id + 10_000,
      email: p.email,
      firstName: 'Camille',
      lastName: 'Martin',
      state: p.state ?? 'Authorized',
      date: p.date ?? DEFAULT_DATE,
      updatedAt: p.updatedAt ?? p.date ?? DEFAULT_DATE,
      amountTip: p.tip ?? 0,
      shares,
      refunds: [],
      installmentNumber: p.installmentNumber ?? 1,
      formSlug: p.formSlug ?? 'carte-machine',
      formType: 'Shop',
    };
    this.payments.set(p.id, payment);
    return payment;
  }

  /** HelloAsso changes a payment (state, refund operations): its meta.updatedAt moves. */
  update(id: number, updatedAt: string, change: Partial<Pick<FakePayment, 'state' | 'refunds'>>): void {
    const p = this.payments.get(id);
    if (p === undefined) throw new Error(`no fake payment ${id}`);
    Object.assign(p, change, { updatedAt });
  }

  /** Every access token stops working (HelloAsso answers 401). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  amountOf(p: FakePayment): number {
    const shares = p.shares.reduce((s, x) => s + x.share + (x.options ?? 0), 0);
    return shares + (this.tipInAmount ? p.amountTip : 0);
  }

  /** Statistics.PaymentDetail */
  paymentBody(p: FakePayment) {
    return {
      order: {
        id: p.orderId,
        date: p.date,
        formSlug: p.formSlug,
        formType: p.formType,
        organizationName: 'La Machinerie',
        organizationSlug: ORG,
        organizationType: 'Association1901',
        organizationIsUnderColucheLaw: false,
        formName: 'Carte machine',
        meta: { createdAt: p.date, updatedAt: p.updatedAt },
        isAnonymous: false,
        isAmountHidden: false,
      },
      payer: { email: p.email, country: 'FRA', firstName: p.firstName, lastName: p.lastName },
      items: p.shares.map((s) => ({
        shareAmount: s.share + (s.options ?? 0),
        shareItemAmount: s.share,
        ...(s.options ? { shareOptionsAmount: s.options } : {}),
        id: s.itemId,
        amount: s.itemAmount,
        type: s.type,
        state: 'Processed',
        name: s.name,
      })),
      cashOutState: 'Transfered',
      paymentReceiptUrl: `https://www.helloasso.com/associations/${ORG}/boutiques/${p.formSlug}/paiement-attestation/${p.orderId}/${p.id}`,
      id: p.id,
      amount: this.amountOf(p),
      ...(p.amountTip > 0 ? { amountTip: p.amountTip } : {}),
      date: p.date,
      paymentMeans: 'Card',
      installmentNumber: p.installmentNumber,
      state: p.state,
      meta: { createdAt: p.date, updatedAt: p.updatedAt },
      refundOperations: p.refunds.map((r) => ({
        id: r.id,
        amount: r.amount,
        amountTip: r.amountTip ?? 0,
        status: r.status,
        meta: { createdAt: r.createdAt, updatedAt: r.createdAt },
      })),
    };
  }

  /** Statistics.OrderDetail: every payment (installment) of the order. */
  orderBody(orderId: number) {
    const payments = [...this.payments.values()].filter((p) => p.orderId === orderId);
    if (payments.length === 0) return null;
    const first = payments[0]!;
    const items = new Map<number, { s: FakeShare; payments: { id: number; shareAmount: number }[] }>();
    for (const p of payments) {
      for (const s of p.shares) {
        const it = items.get(s.itemId) ?? { s, payments: [] };
        it.payments.push({ id: p.id, shareAmount: s.share });
        items.set(s.itemId, it);
      }
    }
    return {
      payer: { email: first.email, country: 'FRA', firstName: first.firstName, lastName: first.lastName },
      items: [...items.values()].map(({ s, payments: ps }) => ({
        payments: ps,
        name: s.name,
        priceCategory: 'Fixed',
        ...(s.customFields
          ? { customFields: s.customFields.map((f, i) => ({ id: i + 1, type: 'TextInput', ...f })) }
          : {}),
        tierId: 127,
        id: s.itemId,
        amount: s.itemAmount,
        type: s.type,
        initialAmount: s.itemAmount,
        state: 'Processed',
      })),
      payments: payments.map((p) => {
        const { order: _o, payer: _p, items: _i, ...rest } = this.paymentBody(p);
        return {
          items: p.shares.map((s) => ({
            id: s.itemId,
            shareAmount: s.share + (s.options ?? 0),
            shareItemAmount: s.share,
          })),
          ...rest,
        };
      }),
      amount: { total: [...items.values()].reduce((t, { s }) => t + s.itemAmount, 0), vat: 0, discount: 0 },
      id: orderId,
      date: first.date,
      formSlug: first.formSlug,
      formType: first.formType,
      organizationName: 'La Machinerie',
      organizationSlug: ORG,
      organizationType: 'Association1901',
      organizationIsUnderColucheLaw: false,
      meta: { createdAt: first.date, updatedAt: first.updatedAt },
    };
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req)
        .then(([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private issue(grant: 'client_credentials' | 'refresh_token'): [number, unknown] {
    this.tokenCalls[grant]++;
    this.serial++;
    const access = `tok-${this.serial}`;
    const refresh = `ref-${this.serial}`;
    this.tokens.set(access, this.clock + 1800 * 1000);
    this.refreshTokens.add(refresh);
    return [200, { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: 1800 }];
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      if (form.get('client_id') !== FAKE_CLIENT.clientId) return [400, { error: 'invalid_client' }];
      if (form.get('grant_type') === 'client_credentials') {
        if (form.get('client_secret') !== FAKE_CLIENT.clientSecret) return [400, { error: 'invalid_client' }];
        return this.issue('client_credentials');
      }
      if (form.get('grant_type') === 'refresh_token') {
        const r = form.get('refresh_token') ?? '';
        if (!this.refreshTokens.delete(r)) return [400, { error: 'invalid_grant' }];
        return this.issue('refresh_token');
      }
      return [400, { error: 'unsupported_grant_type' }];
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expires = this.tokens.get(bearer);
    if (expires === undefined || expires <= this.clock) return [401, { message: 'Unauthorized' }];
    let m = /^\/v5\/payments\/(\d+)$/.exec(url.pathname);
    if (m) {
      this.paymentRequests++;
      const p = this.payments.get(Number(m[1]));
      return p ? [200, this.paymentBody(p)] : [404, { message: 'not found' }];
    }
    m = /^\/v5\/orders\/(\d+)$/.exec(url.pathname);
    if (m) {
      const o = this.orderBody(Number(m[1]));
      return o ? [200, o] : [404, { message: 'not found' }];
    }
    m = /^\/v5\/organizations\/([^/]+)\/forms\/([^/]+)\/([^/]+)\/payments$/.exec(url.pathname);
    if (m) return this.list(m[1]!, m[3]!, url.searchParams);
    return [404, { message: 'no route' }];
  }

  private list(org: string, formSlug: string, q: URLSearchParams): [number, unknown] {
    this.listRequests++;
    if (org !== ORG) return [404, { message: 'organization not found' }];
    const from = q.get('from') ? Date.parse(q.get('from')!) : Number.NEGATIVE_INFINITY;
    const to = q.get('to') ? Date.parse(q.get('to')!) : Number.POSITIVE_INFINITY;
    const field = q.get('sortField') ?? 'Date';
    const desc = (q.get('sortOrder') ?? 'Desc') === 'Desc';
    const key = (p: FakePayment) => Date.parse(field === 'UpdateDate' ? p.updatedAt : p.date);
    const all = [...this.payments.values()]
      .filter((p) => p.formSlug === formSlug)
      .filter((p) => Date.parse(p.date) >= from && Date.parse(p.date) < to)
      .sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)) || a.id - b.id);
    const pageSize = Math.min(Number(q.get('pageSize') ?? 20), 100);
    const start = q.get('continuationToken') ? Number(q.get('continuationToken')!.slice(1)) : 0;
    const data = all.slice(start, start + pageSize).map((p) => this.paymentBody(p));
    const next = start + pageSize;
    return [
      200,
      {
        data,
        pagination: {
          pageSize,
          totalCount: all.length,
          pageIndex: Math.floor(start / pageSize) + 1,
          totalPages: Math.max(1, Math.ceil(all.length / pageSize)),
          continuationToken: next < all.length ? `c${next}` : null,
        },
      },
    ];
  }
}
