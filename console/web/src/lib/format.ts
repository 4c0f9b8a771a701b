// Formatting only: amounts arrive as decimal strings from the APIs and are shown per currency, never computed here.
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** "12345.6" in USD -> "$12,345.60". Intl formats the decimal string exactly (no conversion through a float). */
export function money(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return "—";
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    } catch {
      // A code Intl does not take (RangeError): show the amount with the code as given rather than fail the page.
      return `${amount} ${currency ?? ""}`.trim();
    }
    moneyFormats.set(currency, format);
  }
  // Intl.NumberFormat accepts decimal strings (ECMA-402 "Intl.NumberFormat v3"); the type definitions lag.
  return format.format(amount as unknown as number);
}

/** A calendar date ("2025-03-31") as the date it is: formatted in UTC so no time zone shifts it. */
export function calendarDate(value: string | null | undefined): string {
  if (!value) return "—";
  return new Date(`${value}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
}

/** A timestamp in the viewer's own time zone. */
export function timestamp(value: string | null | undefined): string {
  if (!value) return "—";
  return new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function percent(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 }).format(Number(value));
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : new Intl.NumberFormat().format(value);
}

/** A chart axis's tick: 1,200,000 -> "1.2M" (the axis only; figures are shown in full, formatted per currency). */
export function compact(value: number): string {
  return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}
