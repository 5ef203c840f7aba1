/** How much the app stores, and whether the browser promised to keep it. */
export async function storageEstimate(): Promise<{ used?: number; quota?: number; persisted: boolean }> {
  const estimate = (await navigator.storage?.estimate?.()) ?? {};
  const persisted = (await navigator.storage?.persisted?.()) ?? false;
  return { used: estimate.usage, quota: estimate.quota, persisted };
}

export async function askPersistentStorage(): Promise<boolean> {
  return (await navigator.storage?.persist?.()) ?? false;
}

export const formatBytes = (n?: number) => (n === undefined ? '?' : n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} Ko` : `${(n / 1024 / 1024).toFixed(1)} Mo`);
