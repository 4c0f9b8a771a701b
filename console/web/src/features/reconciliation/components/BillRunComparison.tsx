import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { DataTable } from "../../../components/DataTable";
import { Field } from "../../../components/Field";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { described, showProblem } from "../../../lib/forms";
import { money, timestamp } from "../../../lib/format";
import { useBillRunChoices, useBillRunDiff, type BillRunSummary, type RunLineRow } from "../api/reconciliation";
import { Pager, useCursors } from "./Pager";

const col = createColumnHelper<RunLineRow>();
const amount = (key: "left_amount" | "right_amount" | "difference", header: string) =>
  col.accessor(key, { header, enableSorting: false, cell: (c) => money(c.getValue(), c.row.original.currency) });
const columns = [
  col.accessor("bill_to_account_id", { header: "Bill-to" }),
  col.accessor("contract_id", { header: "Contract", cell: (c) => c.getValue() ?? "self-serve" }),
  col.accessor("kind", { header: "Line kind", cell: (c) => c.getValue().replace(/_/g, " ") }),
  col.accessor("line_item_id", { header: "Line item", cell: (c) => c.getValue() ?? "—" }),
  col.accessor("product_code", { header: "Product", cell: (c) => c.getValue() ?? "—" }),
  col.accessor("original_period", { header: "Billing period of", cell: (c) => c.getValue() ?? "this period" }),
  amount("left_amount", "Left run"),
  amount("right_amount", "Right run"),
  amount("difference", "Difference"),
];

function runLabel(run: BillRunSummary): string {
  const kind = run.source_system ? `shadow preview as ${run.source_system}` : run.mode;
  return `${run.period} ${kind}, ${run.status}, ${timestamp(run.requested_at)} (${run.run_id})`;
}

/** Two bill runs of one period per invoice group and line (oversight.md O1): the real run against a shadow preview
 * priced as if another source billed. */
export function BillRunComparison() {
  const runs = useBillRunChoices();
  const [chosen, setChosen] = useState<{ left: string; right: string } | null>(null);
  const pages = useCursors();
  const form = useForm<{ left: string; right: string }>({ defaultValues: { left: "", right: "" } });
  const diff = useBillRunDiff(chosen, pages.cursor);
  useEffect(() => {
    if (diff.error) showProblem(form, diff.error, ["left", "right"]);
  }, [diff.error, form]);
  const errors = form.formState.errors;
  const data = diff.error ? undefined : diff.data;
  const options = (runs.data?.items ?? []).filter((r) => r.mode === "preview" || r.mode === "issue");
  return (
    <section aria-labelledby="bill-run-comparison">
      <h2 id="bill-run-comparison">Compare two bill runs</h2>
      <p>
        A shadow preview (started on Bill runs with a delivery source) prices the period as if that source billed;
        compare it with the run of the source that bills, line by line.
      </p>
      <ProblemMessage error={runs.error} />
      <form className="filters" aria-label="Compare two bill runs" onSubmit={form.handleSubmit((v) => {
        form.clearErrors();
        pages.reset();
        setChosen(v);
      })}>
        {(["left", "right"] as const).map((side) => (
          <Field key={side} id={`runs-${side}`} label={side === "left" ? "Left run (the reference)" : "Right run"} error={errors[side]?.message}>
            <select id={`runs-${side}`} {...form.register(side)} {...described(`runs-${side}`, errors[side]?.message)}>
              <option value="">pick a run</option>
              {options.map((r) => <option key={r.run_id} value={r.run_id}>{runLabel(r)}</option>)}
            </select>
          </Field>
        ))}
        <div className="field"><button type="submit">Compare</button></div>
        {errors.root ? <p role="alert" className="problem" style={{ width: "100%" }}>{errors.root.message}</p> : null}
      </form>
      {diff.isFetching && !data ? <p role="status">Comparing…</p> : null}
      {data ? (
        <>
          <table>
            <caption>Totals of run {data.left.run_id} against run {data.right.run_id} ({data.left.period}) per currency</caption>
            <thead>
              <tr><th scope="col">Currency</th><th scope="col">Left run</th><th scope="col">Right run</th><th scope="col">Difference</th></tr>
            </thead>
            <tbody>
              {data.totals.length === 0 ? <tr><td colSpan={4}>Neither run bills anything.</td></tr> : null}
              {data.totals.map((t) => (
                <tr key={t.currency}>
                  <th scope="row">{t.currency}</th>
                  <td className="num">{money(t.left_amount, t.currency)}</td>
                  <td className="num">{money(t.right_amount, t.currency)}</td>
                  <td className="num" data-testid={`run-difference-${t.currency}`}>{money(t.difference, t.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <DataTable caption={`Lines of the two runs (page ${pages.page})`} data={data.items} columns={columns}
            empty="Neither run has a line." />
          <Pager back={pages.back} on={pages.on(data.next_cursor)} />
        </>
      ) : null}
    </section>
  );
}
