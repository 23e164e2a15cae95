/** Exact formatting of the API's numbers: amounts are base-unit strings, turned into tokens with BigInt. */
export const WAD = 10n ** 18n;

/** Base units → tokens with `d` decimals and thousands separators (exact: BigInt). */
export function tokens(units: string | bigint, d = 2): string {
  const v = BigInt(units);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = (a / WAD).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (a % WAD).toString().padStart(18, '0').slice(0, d);
  return `${neg ? '−' : ''}${whole}${d ? `.${frac}` : ''}`;
}

export const pct = (x: string | number, d = 1): string => `${(Number(x) * 100).toFixed(d)} %`;
export const fx = (x: string | number): string => Number(x).toFixed(3);
export const when = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
export const usd = (x: string | number): string => `$${Number(x).toFixed(2)}`;
export const count = (x: string | number): string => Number(x).toLocaleString('en');
/** Tokens as a number for a chart's axis (display only: every exact figure is in the tables). */
export const tokenNum = (units: string | bigint): number => Number(BigInt(units) / 10n ** 12n) / 1e6;
/** A WAD fixed-point value, for reading (the exact value stays in the data attributes). */
export const wadNum = (x: string): number => Number(BigInt(x) / 10n ** 12n) / 1e6;
