/**
 * The demo fab lab, set up through the public HTTP API as a new lab would: qualifications,
 * machines with devices, members with badges, certifications and credit, a trainer and a
 * treasurer.
 */
export interface DemoMachine {
  id: string;
  name: string;
  deviceId: string;
  secret: string;
}

export interface DemoLab {
  machines: DemoMachine[];
  badges: { uid: string; who: string; expect: string }[];
  staffTokens: { name: string; roles: string[]; token: string }[];
  /** issue #12: who signs in to the dashboard, by role */
  people: { admin: string; trainer: string; treasurer: string; member: string };
}

/** A dashboard account of the demo: e-mail and password, printed by `npm run demo`. */
export interface DemoAccount {
  role: 'admin' | 'trainer' | 'treasurer' | 'member';
  name: string;
  email: string;
  password: string;
}

type Api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<any>;

export function httpApi(baseUrl: string, token: string): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

const QUALIFICATIONS = [
  { id: 'laser', name: 'Découpe laser', validityDays: 365 },
  { id: 'cnc', name: 'Fraiseuse numérique', validityDays: 365 },
  { id: 'printer-3d', name: 'Impression 3D', validityDays: 730 },
];

const MACHINES = [
  {
    id: 'laser',
    name: 'Découpeuse laser Trotec',
    kind: 'laser',
    pricePerMinuteCents: 50,
    minimumChargeCents: 100,
    qualifications: ['laser'],
  },
  {
    id: 'cnc',
    name: 'Fraiseuse CNC Shaper',
    kind: 'cnc',
    pricePerMinuteCents: 80,
    minimumChargeCents: 200,
    qualifications: ['cnc'],
  },
  {
    id: 'printer-1',
    name: 'Prusa MK4 n°1',
    kind: 'printer-3d',
    pricePerMinuteCents: 2,
    minimumChargeCents: 0,
    qualifications: ['printer-3d'],
    creditPolicy: 'finish',
    overdraftLimitCents: 500,
  },
  {
    id: 'printer-2',
    name: 'Prusa MK4 n°2',
    kind: 'printer-3d',
    pricePerMinuteCents: 2,
    minimumChargeCents: 0,
    qualifications: ['printer-3d'],
    creditPolicy: 'finish',
    overdraftLimitCents: 500,
  },
  {
    id: 'door',
    name: 'Porte d’entrée',
    kind: 'door',
    pricePerMinuteCents: 0,
    minimumChargeCents: 0,
    qualifications: [],
  },
];

export async function setUpDemoLab(api: Api): Promise<DemoLab> {
  for (const q of QUALIFICATIONS) await api('POST', '/qualifications', q);
  const machines: DemoMachine[] = [];
  for (const m of MACHINES) {
    await api('POST', '/machines', m);
    const d = await api('POST', `/machines/${m.id}/devices`, {});
    machines.push({ id: m.id, name: m.name, deviceId: d.deviceId, secret: d.secret });
  }
  const member = async (
    name: string,
    uid: string,
    opts: { certify?: string[]; creditCents?: number; status?: string } = {},
  ) => {
    const email = `${name
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}@exemple.fr`;
    const { id } = await api('POST', '/members', { name, email });
    await api('POST', `/members/${id}/badges`, { uid });
    for (const q of opts.certify ?? [])
      await api('POST', `/members/${id}/certifications`, { qualificationId: q });
    if (opts.creditCents) {
      await api(
        'POST',
        `/members/${id}/topups`,
        { amountCents: opts.creditCents, method: 'cash', reference: 'démo' },
        { 'idempotency-key': `demo-${id}` },
      );
    }
    if (opts.status) await api('PATCH', `/members/${id}`, { status: opts.status });
    return id as string;
  };
  const camille = await member('Camille Martin', '04A3B2C1', {
    certify: ['laser', 'printer-3d'],
    creditCents: 2000,
  });
  await member('Hugo Lefèvre', '04B5C6D7', { certify: ['cnc'] });
  await member('Léa Dubois', '04C0FFEE', { certify: ['laser'], creditCents: 1000, status: 'suspended' });
  await member('Yanis Benali', '04D1E2F3', { certify: ['printer-3d'], creditCents: 300 });

  // Inès trains on the laser and the printers; her staff account holds her badge's member record.
  const ines = await member('Inès Moreau', '04E1E2E3', {
    certify: ['laser', 'printer-3d'],
    creditCents: 1000,
  });
  await api('POST', '/materials', { id: 'pla', name: 'Filament PLA', unit: 'g', pricePerUnitCents: 3 }).catch(
    (err: unknown) => console.warn(`demo: no material PLA (${String(err)})`),
  );
  const staffTokens: DemoLab['staffTokens'] = [];
  const staffIds: string[] = [];
  for (const s of [
    {
      name: 'Inès Moreau',
      email: 'ines.staff@exemple.fr',
      roles: ['trainer'],
      trainerOf: ['laser', 'printer-3d'],
      memberId: ines,
    },
    { name: 'Paul Trésorier', email: 'paul@exemple.fr', roles: ['treasurer'] },
  ]) {
    const { id, token } = await api('POST', '/staff', s);
    staffTokens.push({ name: s.name, roles: s.roles, token });
    staffIds.push(id);
  }
  const { id: admin } = await api('GET', '/me');
  return {
    machines,
    staffTokens,
    people: { admin, trainer: staffIds[0]!, treasurer: staffIds[1]!, member: camille },
    badges: [
      { uid: '04A3B2C1', who: 'Camille (20 €, laser + 3D)', expect: 'laser: accordé / granted' },
      {
        uid: '04B5C6D7',
        who: 'Hugo (0 €, CNC)',
        expect: 'cnc: refusé, crédit insuffisant / insufficient_balance',
      },
      { uid: '04C0FFEE', who: 'Léa (suspendue / suspended)', expect: 'laser: refusé / member_inactive' },
      {
        uid: '04D1E2F3',
        who: 'Yanis (3 €, 3D only)',
        expect: 'laser: refusé / not_certified; printer-1: accordé',
      },
      { uid: '04DEAD00', who: 'badge inconnu / unknown', expect: 'door: refusé / unknown_badge' },
      {
        uid: '04E1E2E3',
        who: 'Inès (formatrice / trainer)',
        expect: '«laser cert 04E1E2E3» then «laser 04D1E2F3»: Yanis certified',
      },
    ],
  };
}

/**
 * Issue #12: the demo's dashboard can be signed into. The admin (the bootstrap account) gets a
 * name and an address, and the admin, the trainer, the treasurer and one member a password,
 * random for each run (the demo listens on every interface).
 */
export async function setUpDemoAccounts(api: Api, people: DemoLab['people'], password: string) {
  await api('PATCH', `/staff/${people.admin}`, { name: 'Claire Admin', email: 'admin@exemple.fr' });
  const accounts: DemoAccount[] = [];
  for (const role of ['admin', 'trainer', 'treasurer'] as const) {
    await api('PUT', `/staff/${people[role]}/password`, { password });
    const s = await api('GET', `/staff/${people[role]}`);
    accounts.push({ role, name: s.name, email: s.email, password });
  }
  await api('PUT', `/members/${people.member}/password`, { password });
  const m = await api('GET', `/members/${people.member}`);
  accounts.push({ role: 'member', name: m.name, email: m.email, password });
  return accounts;
}
