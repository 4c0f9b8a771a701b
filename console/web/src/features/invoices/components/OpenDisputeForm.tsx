import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useNavigate } from "react-router-dom";
import { Field } from "../../../components/Field";
import { disputeApi, idempotencyKey } from "../../../lib/api/clients";
import { described, showProblem } from "../../../lib/forms";
import { money } from "../../../lib/format";
import { unwrap } from "../../../lib/problem";
import type { Invoice, InvoiceLine } from "../api/invoices";

// dispute-svc's reason codes (its OpenAPI documents them in the field's description).
const REASONS = ["rate_mismatch", "delivery_discrepancy", "invalid_traffic", "duplicate_charge", "unauthorized_charge",
  "budget_exceeded", "missing_po", "tax", "other"];

interface DisputeForm {
  reason_code: string;
  description: string;
  amount: string;
}

export function OpenDisputeForm({ invoice, line, onClose }: { invoice: Invoice; line: InvoiceLine; onClose: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const form = useForm<DisputeForm>({ defaultValues: { reason_code: "delivery_discrepancy", description: "", amount: line.amount } });
  const open = useMutation({
    mutationFn: async (values: DisputeForm) =>
      unwrap(await disputeApi.POST("/v1/disputes", {
        body: { invoice_id: invoice.invoice_id, reason_code: values.reason_code, description: values.description,
          lines: [{ invoice_line_id: line.invoice_line_id, amount: values.amount }] },
        headers: { "Idempotency-Key": idempotencyKey() },
      })),
    onSuccess: (dispute) => {
      void client.invalidateQueries({ queryKey: ["invoice-disputes", invoice.invoice_id] });
      navigate(`/disputes/${dispute.dispute_id}`);
    },
    onError: (error) => showProblem(form, error, ["reason_code", "description", "amount"]),
  });
  const errors = form.formState.errors;
  return (
    <form className="panel" aria-labelledby="open-dispute" onSubmit={form.handleSubmit((v) => open.mutate(v))}>
      <h2 id="open-dispute">Open a dispute on “{line.description}” ({money(line.amount, invoice.currency)})</h2>
      <Field id="dispute-reason" label="Reason" error={errors.reason_code?.message}>
        <select id="dispute-reason" {...form.register("reason_code")} {...described("dispute-reason", errors.reason_code?.message)}>
          {REASONS.map((r) => (
            <option key={r} value={r}>{r.replace(/_/g, " ")}</option>
          ))}
        </select>
      </Field>
      <Field id="dispute-description" label="What the advertiser says" error={errors.description?.message}>
        <textarea id="dispute-description" rows={3} {...form.register("description")} {...described("dispute-description", errors.description?.message)} />
      </Field>
      <Field id="dispute-amount" label={`Disputed amount (${invoice.currency})`} error={errors.amount?.message}>
        <input id="dispute-amount" inputMode="decimal" {...form.register("amount")} {...described("dispute-amount", errors.amount?.message)} />
      </Field>
      {errors.root ? <p role="alert" className="problem">{errors.root.message}</p> : null}
      <p>
        <button type="submit" disabled={open.isPending}>Open the dispute</button>{" "}
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </p>
    </form>
  );
}
