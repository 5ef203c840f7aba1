import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { VitePWA } from 'vite-plugin-pwa';

// The built app is packaged by pwa/pom.xml under META-INF/resources and served by the FHIR
// server at "/" (the FHIR API stays at /fhir). No inline script anywhere: the server's
// Content-Security-Policy forbids it.
export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: 'script',
      manifest: {
        name: 'Santé Rurale Mali',
        short_name: 'Santé Rurale',
        description: 'Dossier patient des CSCOM, hors ligne',
        lang: 'fr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0f766e',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        navigateFallback: 'index.html',
        // The FHIR API and the probes are never answered from the app shell cache.
        navigateFallbackDenylist: [/^\/fhir/, /^\/actuator/],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname === '/app-config.json',
            handler: 'NetworkFirst',
            options: { cacheName: 'app-config', networkTimeoutSeconds: 3 },
          },
        ],
      },
    }),
  ],
  server: {
    port: 5173,
    proxy: { '/fhir': 'http://localhost:8080', '/app-config.json': 'http://localhost:8080' },
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 120000,
  },
});
