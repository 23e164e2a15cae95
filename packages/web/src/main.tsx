/**
 * The Swarm Rewards dashboard: Preact components in TypeScript, bundled by the service at start
 * (esbuild, server/bundle.ts), every number fetched from the API. Hash routes: `#/` network, `#/epochs`,
 * `#/epochs/{n}`, `#/nodes` (`?owner=0x…`), `#/nodes/{id}`, `#/params`, `#/governance`.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { EpochPage, EpochsPage } from './pages/epochs.tsx';
import { GovernancePage, ParamsPage } from './pages/governance.tsx';
import { NetworkPage } from './pages/network.tsx';
import { NodePage } from './pages/node.tsx';
import { ProvidersPage } from './pages/providers.tsx';

function route(hash: string) {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  return { parts: (path || '/').split('/').filter(Boolean), params: new URLSearchParams(query) };
}

function Page({ hash }: { hash: string }) {
  const { parts, params } = route(hash);
  const [first, second] = parts;
  if (first === undefined) return <NetworkPage />;
  if (first === 'epochs' && second !== undefined) return <EpochPage n={Number(second)} params={params} />;
  if (first === 'epochs') return <EpochsPage params={params} />;
  if (first === 'nodes' && second !== undefined) return <NodePage id={decodeURIComponent(second)} />;
  if (first === 'nodes') return <ProvidersPage params={params} />;
  if (first === 'params') return <ParamsPage />;
  if (first === 'governance') return <GovernancePage />;
  return <h1>Not found</h1>;
}

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  // the header's navigation (static in index.html) marks the current section
  useEffect(() => {
    const section = `#/${route(hash).parts[0] ?? ''}`;
    for (const a of document.querySelectorAll('nav a')) {
      if (a.getAttribute('href') === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }, [hash]);
  return <Page key={hash} hash={hash} />;
}

document.getElementById('search')?.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = (document.getElementById('q') as HTMLInputElement).value.trim();
  if (!q) return;
  location.hash = /^0x[0-9a-fA-F]{40}$/.test(q) ? `#/nodes?owner=${q.toLowerCase()}` : `#/nodes/${encodeURIComponent(q)}`;
});
const app = document.getElementById('app') as HTMLElement;
app.textContent = '';
render(<App />, app);
