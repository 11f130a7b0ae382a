import { describe } from 'vitest';
import { countsContract } from './counts.js';
import { executionsContract } from './executions.js';
import { seeded, type OpenEmptyStore } from './fresh.js';
import { ghostsContract } from './ghosts.js';
import { ingestContract } from './ingest.js';
import { metricsContract } from './metrics.js';
import { notifyContract } from './notify.js';
import { pageReadsContract } from './page-reads.js';
import { pointsContract } from './points.js';
import { quotaContract } from './quota.js';
import { seriesContract } from './series.js';
import { sessionsContract } from './sessions.js';

/**
 * The behaviour every {@link Store} implementation must show (issue 10 point 3): ingest
 * idempotency and ordering, the line quota, metric summaries and steps, explicit points records,
 * ghosts (markLost, revival by a heartbeat, reapGhosts), counts and lastSeq reads, the page reads, chart series,
 * retention, and the notification rules and outbox. Run it from one test file per engine: `storeContract('PostgresStore', open)`.
 */
export function storeContract(name: string, open: OpenEmptyStore): void {
  const fresh = seeded(open);
  describe(`${name} store contract`, () => {
    ingestContract(fresh);
    quotaContract(fresh);
    metricsContract(fresh);
    pointsContract(fresh);
    executionsContract(fresh);
    ghostsContract(fresh);
    countsContract(fresh);
    pageReadsContract(fresh);
    seriesContract(fresh);
    sessionsContract(fresh);
    notifyContract(fresh);
  });
}
