import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Pool } from './api.ts';
import { tokens } from './format.ts';

/** A figure with its label. */
export function Card({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="card">
      <div class="label">{label}</div>
      <div class="value">{children}</div>
    </div>
  );
}

/** A right-aligned number cell. */
export type Num = { num: ComponentChildren };
export const num = (v: ComponentChildren): Num => ({ num: v });
export type Cell = ComponentChildren | Num;
const isNum = (c: Cell): c is Num => typeof c === 'object' && c !== null && 'num' in (c as object);

export function Table({ headers, rows, id }: { headers: ComponentChildren[]; rows: Cell[][]; id?: string }) {
  return (
    <div class="table-wrap">
      <table id={id}>
        <thead>
          <tr>
            {headers.map((h, i) => (
              <th scope="col" key={i}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={headers.length} class="muted">
                none
              </td>
            </tr>
          ) : (
            rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) =>
                  isNum(c) ? (
                    <td class="num" key={j}>
                      {c.num}
                    </td>
                  ) : (
                    <td key={j}>{c}</td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

// biome-ignore lint/suspicious/noExplicitAny: Chart.js's configuration, as its documentation writes it
export type ChartConfig = { type?: string; data: any; options?: any };
declare global {
  interface Window {
    // biome-ignore lint/suspicious/noExplicitAny: the UMD build of Chart.js (served at /assets/chart.js)
    Chart?: any;
  }
}

export const axis = (text: string, extra: Record<string, unknown> = {}) => ({ title: { display: true, text }, ...extra });

/**
 * A chart (Chart.js, from npm, served by the service): drawn when the canvas is in the page,
 * destroyed when it leaves. Every chart has titled axes with units, and tooltips.
 */
export function Chart({ id, label, config }: { id: string; label: string; config: ChartConfig }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || !window.Chart) return;
    const c = new window.Chart(canvas.current, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false }, ...config.options },
    });
    return () => c.destroy();
  }, []);
  return (
    <figure class="chart">
      <div class="chart-box">
        <canvas id={id} ref={canvas} role="img" aria-label={label} />
      </div>
    </figure>
  );
}

const ROLE_COLORS: Record<string, string> = {
  compute: '#1f6feb',
  validators: '#8250df',
  stakers: '#1a7f37',
  model: '#bf8700',
  developer: '#cf222e',
  community: '#0a7ea4',
  liquidity: '#6e7781',
};

/** An epoch's pools as one bar, with the legend. */
export function RoleBar({ pools }: { pools: Record<string, Pool> }) {
  const entries = Object.entries(pools);
  const total = entries.reduce((a, [, p]) => a + BigInt(p.allocated), 0n) || 1n;
  return (
    <>
      <div class="bar" role="img" aria-label="role split">
        {entries.map(([role, p]) => (
          <span
            key={role}
            style={{ width: `${Number((BigInt(p.allocated) * 10000n) / total) / 100}%`, background: ROLE_COLORS[role] }}
            title={`${role}: ${tokens(p.allocated)}`}
          />
        ))}
      </div>
      <div class="muted">
        {entries.map(([role, p], i) => (
          <span key={role}>
            {i > 0 ? ' · ' : ''}
            <span style={{ color: ROLE_COLORS[role] }}>■</span> {role} {tokens(p.allocated)}
            {p.toTreasury !== '0' ? <span class="muted"> (→ treasury)</span> : null}
          </span>
        ))}
      </div>
    </>
  );
}

/** A page's data, loaded once per `key`: nothing (loading), the data, or the error. */
export function useLoad<T>(load: () => Promise<T>, key: string): { data?: T; error?: Error } {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error }>({ key: '' });
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ key, data }),
      (error: Error) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state : {};
}

/** Renders `children(data)` once loaded; "Loading…" before, the error instead. */
export function Loaded<T>({ load, id, children }: { load: () => Promise<T>; id: string; children: (data: T) => ComponentChildren }) {
  const { data, error } = useLoad(load, id);
  if (error) return <Failed error={error} />;
  if (data === undefined) return <p>Loading…</p>;
  return <>{children(data)}</>;
}

export function Failed({ error }: { error: Error }) {
  return (
    <>
      <h1>Something went wrong</h1>
      <p>{error.message}</p>
    </>
  );
}
