// Every page of the dashboard: its address (#/path), its title in the menu, the roles that
// see it and how it is drawn. A new page is one entry here and one file in src/pages/.
import type { ReactElement } from "react";
import type { Session } from "../lib/api";
import type { PageLink } from "../lib/roles";
import { HomePage } from "./HomePage";
import { OffersPage } from "./OffersPage";
import { AssetsPage } from "./AssetsPage";
import { BuyPage } from "./BuyPage";
import { RequestsPage } from "./RequestsPage";
import { ActivationsPage } from "./ActivationsPage";
import { PrequalificationPage } from "./PrequalificationPage";
import { LedgerPage } from "./LedgerPage";
import { ParticipantsPage } from "./ParticipantsPage";
import { MoneyPage } from "./MoneyPage";
import { ParametersPage } from "./ParametersPage";
import { ZoneMapPage } from "./ZoneMapPage";
import { OutlookPage } from "./OutlookPage";
import { OrderBookPage } from "./OrderBookPage";
import { KpisPage } from "./KpisPage";
import { ContractsPage } from "./ContractsPage";
import { SettlementsPage } from "./SettlementsPage";
import { WalletPage } from "./WalletPage";
import { NotificationsPage } from "./NotificationsPage";

export interface PageProps {
  session: Session;
}

export interface Page extends PageLink {
  render: (props: PageProps) => ReactElement;
}

const sellers = ["prosumer", "aggregator"];
const readers = ["auditor", "regulator", "operator"];
const buyers = ["dso", "tso", "retailer"];

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
  { path: "/map", title: "Zone map", roles: ["dso", "tso", ...readers], render: () => <ZoneMapPage /> },
  {
    path: "/outlook",
    title: "Outlook",
    roles: [...sellers, "dso", "tso", "retailer", ...readers],
    render: ({ session }) => <OutlookPage session={session} />,
  },
  {
    path: "/orderbook",
    title: "Order book",
    roles: [...sellers, "dso", "tso", "retailer", ...readers],
    render: () => <OrderBookPage />,
  },
  { path: "/buy", title: "Buy", roles: [...buyers, ...readers], render: (props) => <BuyPage {...props} /> },
  { path: "/requests", title: "Requests", roles: [...buyers, ...readers], render: (props) => <RequestsPage {...props} /> },
  { path: "/activations", title: "Activations", roles: [...buyers, ...readers], render: (props) => <ActivationsPage {...props} /> },
  {
    path: "/prequalification",
    title: "Prequalification",
    roles: ["dso", ...readers],
    render: (props) => <PrequalificationPage {...props} />,
  },
  {
    path: "/kpis",
    title: "KPIs",
    roles: ["dso", "tso", ...readers],
    render: () => <KpisPage />,
  },
  { path: "/ledger", title: "Ledger", roles: readers, render: () => <LedgerPage /> },
  { path: "/participants", title: "Participants", roles: readers, render: ({ session }) => <ParticipantsPage session={session} /> },
  { path: "/money", title: "Money", roles: ["operator"], render: () => <MoneyPage /> },
  { path: "/parameters", title: "Parameters", roles: readers, render: () => <ParametersPage /> },
  {
    path: "/contracts",
    title: "Contracts",
    roles: [...sellers, "dso", "tso", "retailer", "metering", ...readers],
    render: (props) => <ContractsPage {...props} />,
  },
  {
    path: "/settlements",
    title: "Settlements",
    roles: [...sellers, "dso", "tso", "retailer", "metering", ...readers],
    render: (props) => <SettlementsPage {...props} />,
  },
  {
    path: "/wallet",
    title: "Wallet",
    roles: [...sellers, "dso", "tso", "retailer", "metering", ...readers],
    render: (props) => <WalletPage {...props} />,
  },
  { path: "/notifications", title: "Notifications", roles: "all", render: (props) => <NotificationsPage {...props} /> },
];
