// The app after the launch: the logged-in user, the patient picked at login, and a chart of their body temperatures
// (LOINC 8310-5, vital-signs), read with the launch's token. window.smartDemo exposes the client
// to browser tests.
const LOINC_BODY_TEMPERATURE = '8310-5';

function draw(points) {
  const svg = document.getElementById('chart');
  const [w, h, pad] = [600, 240, 30];
  if (points.length === 0) return;
  const times = points.map((p) => p.t);
  const values = points.map((p) => p.v);
  const [t0, t1] = [Math.min(...times), Math.max(...times) || 1];
  const [v0, v1] = [Math.min(...values) - 0.5, Math.max(...values) + 0.5];
  const x = (t) => pad + ((t - t0) / ((t1 - t0) || 1)) * (w - 2 * pad);
  const y = (v) => h - pad - ((v - v0) / ((v1 - v0) || 1)) * (h - 2 * pad);
  const ns = 'http://www.w3.org/2000/svg';
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.map((p) => `${x(p.t)},${y(p.v)}`).join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#2c3e50');
  svg.appendChild(line);
  for (const p of points) {
    const dot = document.createElementNS(ns, 'circle');
    dot.setAttribute('class', 'point');
    dot.setAttribute('cx', x(p.t));
    dot.setAttribute('cy', y(p.v));
    dot.setAttribute('r', 4);
    dot.appendChild(document.createElementNS(ns, 'title')).textContent = `${p.v} °C`;
    svg.appendChild(dot);
  }
}

FHIR.oauth2.ready().then(async (client) => {
  window.smartDemo = { client };
  const patient = await client.patient.read();
  const name = (patient.name && patient.name[0]) || {};
  document.getElementById('patient').textContent = `${(name.given || []).join(' ')} ${name.family || ''}`.trim();
  // The logged-in user (fhirUser: their Practitioner), readable with the fhirUser scope.
  if (client.user.fhirUser) {
    const me = await client.user.read();
    const myName = (me.name && me.name[0]) || {};
    document.getElementById('user').textContent =
      `Connecté(e) : ${(myName.given || []).join(' ')} ${myName.family || ''}`.trim();
  }
  const observations = await client.request(
    `Observation?patient=${client.patient.id}&category=vital-signs&code=${LOINC_BODY_TEMPERATURE}&_count=100`,
    { pageLimit: 0, flat: true });
  const points = observations
    .filter((o) => o.valueQuantity && o.effectiveDateTime)
    .map((o) => ({ t: Date.parse(o.effectiveDateTime), v: o.valueQuantity.value }))
    .sort((a, b) => a.t - b.t);
  window.smartDemo.points = points;
  draw(points);
  document.getElementById('status').textContent = `${points.length} mesure(s) de température`;
}).catch((e) => {
  document.getElementById('status').textContent = 'Erreur : ' + e;
  window.smartDemo = { error: String(e) };
});
