// The sample SMART app's web server (development only): http://localhost:4000, the redirect URI
// registered for the realm client smart-demo-app. Serves the launch page (/), the app (/callback)
// and the fhirclient browser bundle. No dependency beyond Node and fhirclient.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.env.PORT || 4000);
const FILES = {
  '/': [join(HERE, 'public/index.html'), 'text/html; charset=utf-8'],
  '/callback': [join(HERE, 'public/app.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(HERE, 'public/app.js'), 'text/javascript; charset=utf-8'],
  '/fhir-client.js': [join(HERE, 'node_modules/fhirclient/build/fhir-client.min.js'), 'text/javascript; charset=utf-8'],
};

createServer(async (req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  const file = FILES[path];
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  try {
    res.writeHead(200, { 'Content-Type': file[1], 'Cache-Control': 'no-store' }).end(await readFile(file[0]));
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
  }
}).listen(PORT, 'localhost', () => console.log(`smart-demo-app on http://localhost:${PORT}/?iss=http://localhost:8080/fhir`));
