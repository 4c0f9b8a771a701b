import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { compact, money } from "../../../lib/format";
import { usePeriods, useRevenueByMonth, type RevenueDimension } from "../api/monthend";

const COLOURS = ["#2f5d8a", "#8a5d2f", "#2f8a5d", "#7a2f8a", "#8a2f45", "#4d6b00", "#00637a", "#5c5c5c"];
const MONTHS = 6;

/** Net revenue per key of the dimension, one bar per month and currency, as accounting-svc reports it per period:
 * nothing is added up here (a contra account's negative net is a bar below zero). */
export function RevenueChart({ period, by, label }: { period: string; by: RevenueDimension; label: string }) {
  const calendar = usePeriods();
  const periods = (calendar.data ?? []).map((p) => p.period).filter((p) => p <= period).sort().slice(-MONTHS);
  if (!periods.includes(period)) periods.push(period);
  const answers = useRevenueByMonth(periods, by);
  const error = answers.find((a) => a.error)?.error;
  const byKey = new Map<string, Record<string, string | number>>();
  const series = new Set<string>(); // "2026-11 (USD)"
  periods.forEach((p, i) => {
    for (const r of answers[i]?.data?.rows ?? []) {
      const key = r.key ?? "—";
      const name = `${p} (${r.currency})`;
      series.add(name);
      const row = byKey.get(key) ?? { key };
      row[name] = Number(r.net); // a bar's height; the figures themselves are the API's, formatted
      row[`${name}#text`] = money(r.net, r.currency);
      byKey.set(key, row);
    }
  });
  const rows = [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  const names = [...series].sort();
  return (
    <figure className="panel" aria-labelledby="revenue-chart-caption">
      <ProblemMessage error={error} />
      <div role="img" aria-label={`Chart: net revenue by ${label} for ${periods[0]} to ${period}`}>
        <ResponsiveContainer width="100%" height={320}>
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="key" />
            <YAxis tickFormatter={compact} />
            <Tooltip formatter={(_value, name, item) => [String(item.payload[`${String(name)}#text`] ?? ""), name]} />
            <Legend />
            {names.map((name, i) => <Bar key={name} dataKey={name} name={name} fill={COLOURS[i % COLOURS.length]} />)}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption id="revenue-chart-caption">
        Net revenue by {label}, one bar per month and currency, for the last {MONTHS} periods up to {period}{" "}
        (accounting-svc's journal); the table below gives the figures of {period}.
      </figcaption>
    </figure>
  );
}
