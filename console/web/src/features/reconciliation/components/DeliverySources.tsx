import { createColumnHelper } from "@tanstack/react-table";
import { DataTable } from "../../../components/DataTable";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { useDeliverySources, type DeliverySource } from "../api/reconciliation";
import { SourceComparison } from "./SourceComparison";

const col = createColumnHelper<DeliverySource>();
const columns = [
  col.accessor("source_system", { header: "Source system" }),
  col.accessor("name", { header: "Name" }),
  col.accessor("event_sources", { header: "Allowed to publish (CloudEvents source)", enableSorting: false,
    cell: (c) => c.getValue().join(", ") }),
];

export function DeliverySources() {
  const sources = useDeliverySources();
  return (
    <>
    <section aria-labelledby="delivery-sources">
      <h2 id="delivery-sources">Registered delivery sources</h2>
      <p>
        Once any source is registered, a delivery from an unregistered source system, or published from a source not
        listed for its system, is refused (dead-lettered with the reason) and never billed.
      </p>
      <ProblemMessage error={sources.error} />
      {sources.isPending ? <p role="status">Loading…</p> : null}
      {sources.data ? (
        <DataTable caption="Delivery sources" data={sources.data.items} columns={columns}
          empty="No source is registered: deliveries from any source system are accepted." />
      ) : null}
    </section>
    {sources.data ? <SourceComparison sources={sources.data.items} /> : null}
    </>
  );
}
