import { describe, expect, it } from 'vitest';
import { watchForUpdate, type Worker, type WorkerContainer, type WorkerRegistration } from '../src/features/settings/appUpdate';

/** A hand-driven service worker container: the test installs workers and fires the events. */
function browser({ controlled, waiting }: { controlled: boolean; waiting?: boolean }) {
  const listeners = new Map<string, (() => void)[]>();
  const on = (type: string, l: () => void) => listeners.set(type, [...(listeners.get(type) ?? []), l]);
  const fire = (type: string) => (listeners.get(type) ?? []).forEach((l) => l());
  const messages: unknown[] = [];
  const worker = (state: string): Worker & { fireState: (s: string) => void } => {
    const w = {
      state,
      postMessage: (m: unknown) => messages.push(m),
      addEventListener: (_: 'statechange', l: () => void) => on('statechange', l),
      fireState: (s: string) => {
        w.state = s;
        fire('statechange');
      },
    };
    return w;
  };
  const registration: WorkerRegistration = {
    waiting: waiting ? worker('installed') : null,
    installing: null,
    addEventListener: (_: 'updatefound', l: () => void) => on('updatefound', l),
    update: async () => undefined,
  };
  const container: WorkerContainer = {
    controller: controlled ? {} : null,
    getRegistration: async () => registration,
    addEventListener: (_: 'controllerchange', l: () => void) => on('controllerchange', l),
  };
  return { container, registration, worker, fire, messages };
}

describe('a new version of the app', () => {
  it('is offered once its worker has installed, and applied only when she asks: the waiting worker takes over, then the page reloads', async () => {
    const b = browser({ controlled: true });
    const offers: (() => void)[] = [];
    let reloads = 0;
    const stop = await watchForUpdate(b.container, (apply) => offers.push(apply), () => reloads++);
    const next = b.worker('installing');
    b.registration.installing = next;
    b.fire('updatefound');
    expect(offers).toHaveLength(0);
    next.fireState('installed');
    expect(offers).toHaveLength(1);
    expect(b.messages).toEqual([]);
    offers[0]();
    expect(b.messages).toEqual([{ type: 'SKIP_WAITING' }]);
    expect(reloads).toBe(0);
    b.fire('controllerchange');
    expect(reloads).toBe(1);
    stop?.();
  });

  it('is offered at start when a worker already waits', async () => {
    const b = browser({ controlled: true, waiting: true });
    const offers: (() => void)[] = [];
    const stop = await watchForUpdate(b.container, (apply) => offers.push(apply), () => undefined);
    expect(offers).toHaveLength(1);
    stop?.();
  });

  it('is not offered on the first installation (nothing to replace)', async () => {
    const b = browser({ controlled: false });
    const offers: (() => void)[] = [];
    const stop = await watchForUpdate(b.container, (apply) => offers.push(apply), () => undefined);
    const first = b.worker('installing');
    b.registration.installing = first;
    b.fire('updatefound');
    first.fireState('installed');
    expect(offers).toHaveLength(0);
    stop?.();
  });
});
