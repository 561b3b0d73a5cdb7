/** The admin section's sub-navigation. */
import type { DashContext } from '../context.ts';
import { setupWords } from '../i18n/setup.ts';

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
    // issue #12 (words in setup-fr.ts / setup-en.ts)
    { href: '/admin/retention', label: setupWords(props.c).retentionLink },
    { href: '/setup', label: setupWords(props.c).setupNav },
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
