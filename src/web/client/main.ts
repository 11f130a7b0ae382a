import { pageData } from './dom.js';
import { mountExecutionPage } from './execution-page.js';
import { mountSessionPage } from './session-page.js';
import { localizeTimes } from './times.js';

/** Entry of the page script (bundled to /assets/web.js): enhances the server-rendered page it finds. */
const data = pageData<{ page: 'execution' | 'session' } & Record<string, unknown>>();
localizeTimes();
document.documentElement.classList.add('js');
if (data?.page === 'execution') mountExecutionPage(data as unknown as Parameters<typeof mountExecutionPage>[0]);
else if (data?.page === 'session') mountSessionPage(data as unknown as { id: string });
