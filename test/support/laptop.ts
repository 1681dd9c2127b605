// The laptop's Funnel endpoint as msw sees it: a behaviour per probe, scripted by the test.
import { delay, http, HttpResponse } from 'msw';
import { HEALTH_URL } from './aws.js';

export type LaptopBehaviour = 'up' | 'down' | '503' | 'hang' | 'wrong-body';

export function createLaptop(url = HEALTH_URL) {
  let steady: LaptopBehaviour = 'up';
  const next: LaptopBehaviour[] = [];
  let probes = 0;
  const handler = http.get(url, async () => {
    probes += 1;
    switch (next.shift() ?? steady) {
      case 'up':
        return new HttpResponse('OK', { headers: { 'content-type': 'text/plain' } });
      case 'down':
        return HttpResponse.error();
      case '503':
        return new HttpResponse('k3s inactive', { status: 503 });
      case 'wrong-body':
        return new HttpResponse('<html>Welcome to nginx</html>', { headers: { 'content-type': 'text/html' } });
      case 'hang':
        await delay('infinite');
        return HttpResponse.error();
    }
  });
  return {
    handler,
    /** Every probe from now on. */
    set(behaviour: LaptopBehaviour) {
      steady = behaviour;
      next.length = 0;
    },
    /** The next probes, one behaviour each, before the steady one applies again. */
    then(...behaviours: LaptopBehaviour[]) {
      next.push(...behaviours);
    },
    get probes() {
      return probes;
    },
  };
}
