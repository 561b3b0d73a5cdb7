import { describe, expect, it } from 'vitest';
import type { Principal } from '../../application/auth.ts';
import { type Access, ADMIN, can, MEMBERS, MONEY, STAFF, STAFF_OR_MEMBER, TRAINERS } from './access.ts';

const staff = (...roles: ('admin' | 'trainer' | 'treasurer')[]): Principal => ({
  kind: 'staff',
  id: 's',
  name: 'S',
  email: 's@example.org',
  roles,
  trainerOf: [],
  memberId: null,
  tokenId: 't',
});
const member: Principal = {
  kind: 'member',
  id: 'm',
  name: 'M',
  email: 'm@example.org',
  memberId: 'm',
  tokenId: 't',
};

describe('who may open which page (deny by default)', () => {
  const cases: [string, Principal | null, Access, boolean][] = [
    ['nobody, a public page', null, 'public', true],
    ['nobody, a staff page', null, STAFF, false],
    ['a member, a staff page', member, STAFF, false],
    ['a member, their account', member, MEMBERS, true],
    ['a member, a money page', member, MONEY, false],
    ['a member, sign-out', member, STAFF_OR_MEMBER, true],
    ['a trainer, the trainers page', staff('trainer'), TRAINERS, true],
    ['a trainer, a money page', staff('trainer'), MONEY, false],
    ['a trainer, an admin page', staff('trainer'), ADMIN, false],
    ['a treasurer, a money page', staff('treasurer'), MONEY, true],
    ['a treasurer, the trainers page', staff('treasurer'), TRAINERS, false],
    ['an admin, every staff page', staff('admin'), MONEY, true],
    ['an admin, an admin page', staff('admin'), ADMIN, true],
    ['an admin, a member-only page', staff('admin'), MEMBERS, false],
  ];
  it.each(cases)('%s', (_, who, access, expected) => {
    expect(can(who, access)).toBe(expected);
  });
});
