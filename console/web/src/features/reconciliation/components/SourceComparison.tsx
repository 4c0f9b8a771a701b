import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router-dom";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { described, showProblem } from "../../../lib/forms";
import { calendarDate, count, money } from "../../../lib/format";
import { lastBilledPeriod } from "../../../lib/periods";
import { useSourceReconciliation, type DeliverySource, type SourceDayRow, type SourceFilter, type SourceStatus } from "../api/reconciliation";
import { Pager, useCursors } from "./Pager";

const STATUS: Record<SourceStatus, string> = {
  matched: "matched", within_tolerance: "within tolerance", beyond_tolerance: "beyond tolerance",
  only_left: "only in the left source", only_right: "only in the right source",
};

const col = createColumnHelper<SourceDayRow>();
const columns = [
  col.accessor("contract_id", { header: "Contract", cell: (c) => (c.getValue()
    ? <Link to={`/contracts/${encodeURIComponent(c.getValue() ?? "")}`}>{c.getValue()}</Link> : "self-serve") }),
  col.accessor("line_item_id", { header: "Line item" }),
  col.accessor("product_code", { header: "Product" }),
  col.accessor("service_date", { header: "Service date", cell: (c) => calendarDate(c.getValue()) }),
  col.accessor("unit", { header: "Unit", cell: (c) => c.getValue().replace(/_/g, " ") }),
  col.accessor("left_quantity", { header: "Left quantity", cell: (c) => count(c.getValue()) }),
  col.accessor("right_quantity", { header: "Right quantity", cell: (c) => count(c.getValue()) }),
  col.accessor("difference", { header: "Difference", cell: (c) => count(c.getValue()) }),
  col.accessor("difference_pct", { header: "Difference %", enableSorting: false,
    cell: (c) => (c.getValue() === null ? "—" : `${c.getValue()} %`) }),
  col.accessor("status", { header: "Status", cell: (c) => (
    <span className={c.getValue() === "matched" || c.getValue() === "within_tolerance" ? "ok" : "problem"}>{STATUS[c.getValue()]}</span>) }),
  col.accessor("left_value", { header: "Left value", enableSorting: false, cell: (c) => money(c.getValue(), c.row.original.currency) }),
  col.accessor("right_value", { header: "Right value", enableSorting: false, cell: (c) => money(c.getValue(), c.row.original.currency) }),
  col.accessor("value_difference", { header: "Value difference", enableSorting: false, cell: (c) => money(c.getValue(), c.row.original.currency) }),
  col.accessor("billed", { header: "Billed day", cell: (c) => (c.getValue() ? "yes" : "no (shadow only)") }),
];

type Form = Required<Omit<SourceFilter, "status" | "sort">> & { status: SourceStatus | ""; sort: NonNullable<SourceFilter["sort"]> };
const FIELDS = ["period", "left", "right", "contract_id", "product_code", "tolerance_pct", "status", "sort"] as const;

/** Two delivery sources side by side per service day (oversight.md O1), e.g. PIO against OMS in a parallel run. */
export function SourceComparison({ sources }: { sources: DeliverySource[] }) {
  const [filter, setFilter] = useState<SourceFilter | null>(null);
  const pages = useCursors();
  const form = useForm<Form>({ defaultValues: {
    period: lastBilledPeriod(), left: sources[0]?.source_system ?? "", right: sources[1]?.source_system ?? "",
    contract_id: "", product_code: "", tolerance_pct: "1", status: "", sort: "contract_line_date" } });
  const result = useSourceReconciliation(filter, pages.cursor);
  useEffect(() => {
    if (result.error) showProblem(form, result.error, [...FIELDS]);
  }, [result.error, form]);
  const errors = form.formState.errors;
  const data = result.error ? undefined : result.data;
  return (
    <section aria-labelledby="source-comparison">
      <h2 id="source-comparison">Compare two delivery sources</h2>
      <datalist id="source-systems">
        {sources.map((s) => <option key={s.source_system} value={s.source_system}>{s.name}</option>)}
      </datalist>
      <form className="filters" aria-label="Compare two delivery sources" onSubmit={form.handleSubmit((v) => {
        form.clearErrors();
        pages.reset();
        setFilter({ ...v, status: v.status || undefined });
      })}>
        {([["period", "Service period (YYYY-MM)"], ["left", "Left source (the reference)"], ["right", "Right source"],
          ["contract_id", "Contract (optional)"], ["product_code", "Product (optional)"], ["tolerance_pct", "Tolerance on quantity (%)"]] as const).map(([name, label]) => (
          <Field key={name} id={`sources-${name}`} label={label} error={errors[name]?.message}>
            <input id={`sources-${name}`} list={name === "left" || name === "right" ? "source-systems" : undefined}
              {...form.register(name)} {...described(`sources-${name}`, errors[name]?.message)} />
          </Field>
        ))}
        <Field id="sources-status" label="Status" error={errors.status?.message}>
          <select id="sources-status" {...form.register("status")}>
            <option value="">every status</option>
            {Object.entries(STATUS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
        <Field id="sources-sort" label="Order">
          <select id="sources-sort" {...form.register("sort")}>
            <option value="contract_line_date">contract, line item, date</option>
            <option value="-difference">largest difference first</option>
          </select>
        </Field>
        <div className="field"><button type="submit">Compare</button></div>
        {errors.root ? <p role="alert" className="problem" style={{ width: "100%" }}>{errors.root.message}</p> : null}
      </form>
      {result.isFetching && !data ? <p role="status">Comparing…</p> : null}
      {data ? (
        <>
          <table>
            <caption>Summary of {data.left} against {data.right} (tolerance {data.tolerance_pct} %), every row of the comparison</caption>
            <thead>
              <tr>{Object.keys(STATUS).map((s) => <th key={s} scope="col">{STATUS[s as SourceStatus]}</th>)}<th scope="col">Cannot price</th></tr>
            </thead>
            <tbody>
              <tr>{Object.keys(STATUS).map((s) => <td key={s} className="num">{count(data.summary.rows[s] ?? 0)}</td>)}
                <td className="num">{count(data.summary.unpriced_rows)}</td></tr>
            </tbody>
          </table>
          <table>
            <caption>Value of each source per currency (priced rows)</caption>
            <thead>
              <tr><th scope="col">Currency</th><th scope="col">{data.left}</th><th scope="col">{data.right}</th><th scope="col">Difference</th></tr>
            </thead>
            <tbody>
              {data.summary.values.length === 0 ? <tr><td colSpan={4}>Nothing priced.</td></tr> : null}
              {data.summary.values.map((v) => (
                <tr key={v.currency}>
                  <th scope="row">{v.currency}</th>
                  <td className="num">{money(v.left_value, v.currency)}</td>
                  <td className="num">{money(v.right_value, v.currency)}</td>
                  <td className="num" data-testid={`source-difference-${v.currency}`}>{money(v.difference, v.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <DataTable caption={`Service days of ${data.left} and ${data.right} (page ${pages.page})`} data={data.items}
            columns={columns} empty="Neither source reported a day matching these filters." />
          <Pager back={pages.back} on={pages.on(data.next_cursor)} />
        </>
      ) : null}
    </section>
  );
}
