/**
 * A local fake of HelloAsso's API v5 (issue #5 tests): node:http on port 0 serving the
 * documented shapes (token endpoint, GET /v5/payments/{id}, GET /v5/orders/{id}, a form's
 * payments list with pagination). Payments and orders are set by the test.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_CLIENT = { clientId: 'lab-client', clientSecret: 'lab-secret' };

export interface FakePayment {
  id: number;
  amount: number;
  state: string;
  email: string;
  orderId?: number;
  formSlug?: string;
  date?: string;
}

/** A payment as HelloAsso's API answers it (dev.helloasso.com notification examples). */
export function paymentBody(p: FakePayment, organizationSlug = 'la-machinerie') {
  return {
    order: {
      id: p.orderId ?? p.id + 10_000,
      date: p.date ?? '2026-03-05T14:11:15.7442115+01:00',
      formSlug: p.formSlug ?? 'carte-machine',
      formType: 'Shop',
      organizationName: 'La Machinerie',
      organizationSlug,
      organizationType: 'Association1901',
      organizationIsUnderColucheLaw: false,
      formName: 'Carte machine',
      meta: { createdAt: '2026-03-05T14:10:49+01:00', updatedAt: '2026-03-05T14:11:15+01:00' },
      isAnonymous: false,
      isAmountHidden: false,
    },
    payer: { email: p.email, country: 'FRA', firstName: 'Camille', lastName: 'Martin' },
    items: [
      {
        shareAmount: p.amount,
        shareItemAmount: p.amount,
        id: p.orderId ?? p.id + 10_000,
        amount: p.amount,
        type: 'Product',
        state: 'Processed',
        name: 'Carte machine',
      },
    ],
    cashOutState: 'Transfered',
    paymentReceiptUrl: `https://www.helloasso.com/associations/la-machinerie/boutiques/carte-machine/paiement-attestation/${p.id}`,
    id: p.id,
    amount: p.amount,
    date: p.date ?? '2026-03-05T14:11:15.0825381+01:00',
    paymentMeans: 'Card',
    installmentNumber: 1,
    state: p.state,
    meta: { createdAt: '2026-03-05T14:10:49+01:00', updatedAt: '2026-03-05T14:11:15+01:00' },
    refundOperations: [],
  };
}

export class FakeHelloasso {
  readonly payments = new Map<number, FakePayment>();
  readonly orders = new Map<
    number,
    { id: number; items: { customFields?: { name: string; type: string; answer: string }[] }[] }
  >();
  tokenRequests = 0;
  paymentRequests = 0;
  pageSize = 2;
  private server: Server | null = null;
  url = '';

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

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = new URLSearchParams(text);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== FAKE_CLIENT.clientId ||
        form.get('client_secret') !== FAKE_CLIENT.clientSecret
      ) {
        return [400, { error: 'unauthorized_client' }];
      }
      this.tokenRequests++;
      return [
        200,
        {
          access_token: `tok-${this.tokenRequests}`,
          token_type: 'bearer',
          expires_in: 1800,
          refresh_token: 'r',
        },
      ];
    }
    if (!/^Bearer tok-\d+$/.test(req.headers.authorization ?? '')) return [401, { message: 'unauthorized' }];
    let m = /^\/v5\/payments\/(\d+)$/.exec(url.pathname);
    if (m) {
      this.paymentRequests++;
      const p = this.payments.get(Number(m[1]));
      return p ? [200, paymentBody(p)] : [404, { message: 'not found' }];
    }
    m = /^\/v5\/orders\/(\d+)$/.exec(url.pathname);
    if (m) {
      const o = this.orders.get(Number(m[1]));
      return o ? [200, o] : [404, { message: 'not found' }];
    }
    m = /^\/v5\/organizations\/([^/]+)\/forms\/([^/]+)\/([^/]+)\/payments$/.exec(url.pathname);
    if (m) {
      const from = new Date(url.searchParams.get('from') ?? 0);
      const to = new Date(url.searchParams.get('to') ?? '9999-01-01');
      const all = [...this.payments.values()]
        .filter((p) => (p.formSlug ?? 'carte-machine') === m![3])
        .filter((p) => {
          const d = new Date(p.date ?? '2026-03-05T14:11:15+01:00');
          return d >= from && d < to;
        })
        .sort((a, b) => a.id - b.id);
      const pageIndex = Number(url.searchParams.get('pageIndex') ?? 1);
      const totalPages = Math.max(1, Math.ceil(all.length / this.pageSize));
      const data = all
        .slice((pageIndex - 1) * this.pageSize, pageIndex * this.pageSize)
        .map((p) => paymentBody(p));
      return [
        200,
        {
          data,
          pagination: {
            pageSize: this.pageSize,
            totalCount: all.length,
            pageIndex,
            totalPages,
            continuationToken: `c${pageIndex}`,
          },
        },
      ];
    }
    return [404, { message: 'no route' }];
  }
}
