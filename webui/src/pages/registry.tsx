// Every page of the dashboard: its address (#/path), its title in the menu, the roles that
// see it and how it is drawn. A new page is one entry here and one file in src/pages/.
import type { ReactElement } from "react";
import type { Session } from "../lib/api";
import type { PageLink } from "../lib/roles";
import { HomePage } from "./HomePage";
import { OffersPage } from "./OffersPage";
import { AssetsPage } from "./AssetsPage";
import { LedgerPage } from "./LedgerPage";
import { ParticipantsPage } from "./ParticipantsPage";
import { MoneyPage } from "./MoneyPage";
import { ParametersPage } from "./ParametersPage";

export interface PageProps {
  session: Session;
  onSessionEnded: () => void;  // the event stream saw the session end: back to the login
}

export interface Page extends PageLink {
  render: (props: PageProps) => ReactElement;
}

const sellers = ["prosumer", "aggregator"];
const readers = ["auditor", "regulator", "operator"];

export const pages: readonly Page[] = [
  { path: "/", title: "Home", roles: "all", render: ({ session }) => <HomePage session={session} /> },
  {
    path: "/assets",
    title: "Assets",
    roles: [...sellers, "dso", "retailer", ...readers],
    render: ({ session }) => <AssetsPage session={session} />,
  },
  {
    path: "/offers",
    title: "Offers",
    roles: [...sellers, "dso", "tso", "retailer", ...readers],
    render: (props) => <OffersPage {...props} />,
  },
  { path: "/ledger", title: "Ledger", roles: readers, render: () => <LedgerPage /> },
  { path: "/participants", title: "Participants", roles: readers, render: ({ session }) => <ParticipantsPage session={session} /> },
  { path: "/money", title: "Money", roles: ["operator"], render: () => <MoneyPage /> },
  { path: "/parameters", title: "Parameters", roles: readers, render: () => <ParametersPage /> },
];
