/** The month billed last: bill runs issue the calendar month before today's (calendar arithmetic in UTC). */
export function lastBilledPeriod(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
