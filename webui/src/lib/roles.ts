// What each role finds in the dashboard: the pages whose roles include one of the
// session's, in the registry's order (src/pages/registry.tsx). Read-only roles (auditor,
// regulator) get no page that writes, and no write control on the pages they read.

export interface PageLink {
  path: string;
  title: string;
  roles: readonly string[] | "all";  // "all": every logged-in session, even with no role
}

export const readOnlyRoles = ["auditor", "regulator"];

export function pagesFor<Page extends PageLink>(roles: readonly string[], pages: readonly Page[]): Page[] {
  return pages.filter((page) => page.roles === "all" || page.roles.some((role) => roles.includes(role)));
}

// A session writes only if it holds a role that may (and the node holds its key).
export function canWrite(roles: readonly string[], canSign: boolean): boolean {
  return canSign && roles.some((role) => !readOnlyRoles.includes(role));
}
