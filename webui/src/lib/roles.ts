// What each role finds in the dashboard: its pages, in the order of its work. A session
// with several roles gets the union, first role first. Read-only roles (auditor, regulator)
// get no page that writes.

export interface PageLink {
  path: string;
  title: string;
}

// Pages built so far; the other pages join as they are built.
const offers: PageLink = { path: "/offers", title: "Offers" };
const assets: PageLink = { path: "/assets", title: "Assets" };
const pagesByRole: Record<string, PageLink[]> = {
  prosumer: [assets, offers],
  aggregator: [assets, offers],
  dso: [assets, offers],
  tso: [offers],
  retailer: [assets, offers],
  auditor: [assets, offers],
  regulator: [assets, offers],
  operator: [assets, offers],
};

export const readOnlyRoles = ["auditor", "regulator"];

export function pagesFor(roles: string[]): PageLink[] {
  const pages: PageLink[] = [{ path: "/", title: "Home" }];
  for (const role of roles) {
    for (const page of pagesByRole[role] ?? []) {
      if (!pages.some((known) => known.path === page.path)) pages.push(page);
    }
  }
  return pages;
}

// A session writes only if it holds a role that may (and the node holds its key).
export function canWrite(roles: string[], canSign: boolean): boolean {
  return canSign && roles.some((role) => !readOnlyRoles.includes(role));
}
