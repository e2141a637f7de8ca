/** Entry point of the viewer UI: routes the location hash to a page. */
import { renderAttemptPage } from './attempt-page.ts';
import { element, errorBox, replaceChildren } from './dom.ts';
import { renderLeaderboardPage } from './leaderboard-page.ts';
import { parseRoute } from './router.ts';
import { renderRunPage } from './run-page.ts';
import { renderRunsPage } from './runs-page.ts';

const root = document.getElementById('app')!;
let dispose: () => void = () => undefined;
let navigation = 0;

async function show(): Promise<void> {
  dispose();
  dispose = () => undefined;
  const current = ++navigation;
  const route = parseRoute(location.hash);
  const target = element('div', { class: `page page-${route.page}` }, 'Loading…');
  replaceChildren(root, target);
  try {
    if (route.page === 'runs') await renderRunsPage(target);
    else if (route.page === 'leaderboard') await renderLeaderboardPage(target);
    else if (route.page === 'run') {
      const stop = await renderRunPage(target, route.runId, route.query);
      if (current === navigation) dispose = stop;
      else stop();
    } else if (route.page === 'attempt') await renderAttemptPage(target, route.attemptId);
    else
      replaceChildren(
        target,
        element('p', {}, `No page at ${route.hash}. `, element('a', { href: '#/' }, 'All runs')),
      );
    if (current === navigation) target.setAttribute('data-ready', 'true');
  } catch (error) {
    replaceChildren(target, errorBox(error));
  }
}

window.addEventListener('hashchange', () => void show());
void show();
