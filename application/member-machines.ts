/**
 * "Mes machines" (issue #12 item 8): what a member may use, what it costs, and whether it is
 * free right now; never who is using it (another member's name is not theirs to see).
 */
import type { DbOrTx } from '../db/client.ts';
import { listMachines } from './machines.ts';
import { memberDetail } from './members.ts';
import { listQualifications } from './qualifications.ts';
import { helloassoSettings } from './treasury-settings.ts';

export type Availability = 'free' | 'in_use' | 'offline' | 'unavailable';

export interface MemberMachine {
  id: string;
  name: string;
  kind: string;
  pricePerMinuteCents: number;
  minimumChargeCents: number;
  sessionFeeCents: number;
  /** names of the qualifications the machine asks for */
  requires: string[];
  /** the names of those the member holds no valid certification for */
  missing: string[];
  availability: Availability;
}

export async function memberMachines(db: DbOrTx, memberId: string, now: Date) {
  const [detail, machines, quals] = [
    await memberDetail(db, memberId, now),
    await listMachines(db),
    await listQualifications(db),
  ];
  const name = new Map(quals.map((q) => [q.id, q.name]));
  const held = new Set(detail.certifications.filter((c) => c.valid).map((c) => c.qualificationId));
  const items: MemberMachine[] = machines.map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    pricePerMinuteCents: m.pricePerMinuteCents,
    minimumChargeCents: m.minimumChargeCents,
    sessionFeeCents: m.sessionFeeCents ?? 0,
    requires: m.qualifications.map((q) => name.get(q) ?? q),
    missing: m.qualifications.filter((q) => !held.has(q)).map((q) => name.get(q) ?? q),
    availability:
      m.state !== 'available' ? 'unavailable' : m.inUse ? 'in_use' : m.online ? 'free' : 'offline',
  }));
  items.sort((a, b) => a.missing.length - b.missing.length || a.name.localeCompare(b.name, 'fr'));
  return { balanceCents: detail.balanceCents, status: detail.status, items };
}

// HelloAsso's public form pages: https://www.helloasso.com/associations/{org}/{type}/{slug}, the
// type's path segment by form type (formType as in API v5 `/organizations/{org}/forms/{type}/{slug}`).
const FORM_PATHS: Record<string, string> = {
  shop: 'boutiques',
  event: 'evenements',
  membership: 'adhesions',
  donation: 'formulaires',
  paymentform: 'paiements',
  crowdfunding: 'collectes',
};

/** The machine-card form members pay on, when HelloAsso is set up; null otherwise. */
export async function helloassoTopUpUrl(db: DbOrTx): Promise<string | null> {
  const s = await helloassoSettings(db);
  if (!s.organizationSlug || !s.formType || !s.formSlug) return null;
  const path = FORM_PATHS[s.formType.toLowerCase()];
  if (path === undefined) return null;
  const site = s.baseUrl?.includes('sandbox')
    ? 'https://www.helloasso-sandbox.com'
    : 'https://www.helloasso.com';
  return `${site}/associations/${encodeURIComponent(s.organizationSlug)}/${path}/${encodeURIComponent(s.formSlug)}`;
}
