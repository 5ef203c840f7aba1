/** What the update check needs of the browser (a ServiceWorkerContainer), so tests can fake it. */
export interface WorkerContainer {
  controller: object | null;
  getRegistration(): Promise<WorkerRegistration | undefined>;
  addEventListener(type: 'controllerchange', listener: () => void, options?: { once?: boolean }): void;
}

export interface WorkerRegistration {
  waiting: Worker | null;
  installing: Worker | null;
  addEventListener(type: 'updatefound', listener: () => void): void;
  update(): Promise<unknown>;
}

export interface Worker {
  state: string;
  postMessage(message: unknown): void;
  addEventListener(type: 'statechange', listener: () => void): void;
}

/**
 * Watches for a new version of the app: the service worker of a new build installs in the
 * background and waits (vite-plugin-pwa's `prompt` mode) instead of taking over a page in use.
 * `onReady` gets the function that switches to it: the waiting worker takes control and the
 * page reloads, back at the PIN; IndexedDB (records, outbox) is untouched by an update.
 * The first installation (no controller yet) is not an update and offers nothing.
 * Does not guarantee the new build reads the old data: the database schema's own versioning does.
 */
export async function watchForUpdate(container: WorkerContainer, onReady: (apply: () => void) => void, reload: () => void, checkEveryMs = 60 * 60 * 1000) {
  const registration = await container.getRegistration();
  if (!registration) return undefined;
  const offer = (worker: Worker) =>
    onReady(() => {
      container.addEventListener('controllerchange', reload, { once: true });
      worker.postMessage({ type: 'SKIP_WAITING' });
    });
  if (registration.waiting && container.controller) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) offer(worker);
    });
  });
  // A phone keeps the app open for days: look for a new version now and then.
  const timer = setInterval(() => registration.update().catch(() => undefined), checkEveryMs);
  return () => clearInterval(timer);
}
