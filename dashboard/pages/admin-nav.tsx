/** The admin section's sub-navigation. */
import type { DashContext } from '../context.ts';

export function AdminNav(props: { c: DashContext }) {
  const { t } = props.c.var;
  const path = props.c.req.path;
  const items = [
    { href: '/admin/machines', label: t.adminMachines },
    { href: '/admin/materials', label: t.adminMaterials },
    { href: '/admin/devices', label: t.adminDevices },
    { href: '/admin/staff', label: t.adminStaff },
    { href: '/admin/import', label: t.adminImport },
    { href: '/admin/backup', label: t.adminBackup },
    { href: '/admin/audit', label: t.adminAudit },
  ];
  return (
    <nav aria-label={t.adminNav} class="subnav">
      <ul>
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={path.startsWith(i.href) ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
