import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ProblemMessage } from "../../../components/ProblemMessage";
import { count, money } from "../../../lib/format";
import { useRootCauses, type TrendSeries } from "../api/kpis";

const SERVICES = [
  { service: "invoice-svc", title: "Billing exceptions", valueIs: "value held back" },
  { service: "dispute-svc", title: "Disputes", valueIs: "disputed amount" },
  { service: "adjustment-svc", title: "Credits and debits requested", valueIs: "requested total" },
] as const;

const cause = (group: string) => group.replace(/_/g, " ");

/** Each service's root-cause Pareto (oversight.md O4), side by side: each reports its own money in its own
 * currency, so nothing is added across them here. */
export function RootCauses({ from, to }: { from: string; to: string }) {
  return (
    <section aria-labelledby="root-causes">
      <h2 id="root-causes">Root causes, {from} to {to}</h2>
      <div className="side-by-side">
        {SERVICES.map((s) => <Pareto key={s.service} {...s} from={from} to={to} />)}
      </div>
    </section>
  );
}

function Pareto({ service, title, valueIs, from, to }: { service: (typeof SERVICES)[number]["service"]; title: string;
  valueIs: string; from: string; to: string }) {
  const trends = useRootCauses(service, from, to);
  const series: TrendSeries[] = trends.data?.series ?? [];
  const chart = series.slice(0, 8).map((s) => ({ name: `${cause(s.group)} (${s.currency})`, count: s.count }));
  return (
    <div className="panel">
      <h3>{title}</h3>
      <ProblemMessage error={trends.error} />
      {trends.data ? (
        <>
          {chart.length > 0 ? (
            <div role="img" aria-label={`Chart: ${title.toLowerCase()} by root cause, largest value first`}>
              <ResponsiveContainer width="100%" height={200}>
                <BarChart data={chart} layout="vertical" margin={{ left: 16 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" allowDecimals={false} />
                  <YAxis type="category" dataKey="name" width={150} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Bar dataKey="count" name="count" fill="#2f5d8a" />
                </BarChart>
              </ResponsiveContainer>
            </div>
          ) : null}
          <table>
            <caption>{title} by root cause ({valueIs}), largest first</caption>
            <thead><tr><th scope="col">Root cause</th><th scope="col" className="num">Count</th><th scope="col" className="num">Value</th></tr></thead>
            <tbody>
              {series.length === 0 ? <tr><td colSpan={3}>None in these months.</td></tr> : null}
              {series.map((s) => (
                <tr key={`${s.group}/${s.currency}`}>
                  <th scope="row">{cause(s.group)}</th>
                  <td className="num">{count(s.count)}</td>
                  <td className="num">{s.currency === "XXX" ? "not priced" : money(s.value, s.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
