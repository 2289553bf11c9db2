// A Lambda runtime for the peer: the loop AWS's Node.js runtime runs over the Runtime API
// (GET next invocation, call the handler, POST its result), with a keep-alive connection.
import http from 'node:http';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime';

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: base + path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const { handler } = await import('./index.mjs');
for (;;) {
  const next = await call('GET', '/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  try {
    const result = await handler(JSON.parse(next.body));
    await call('POST', `/invocation/${id}/response`, JSON.stringify(result));
  } catch (e) {
    await call('POST', `/invocation/${id}/error`, JSON.stringify({ errorMessage: String(e), errorType: 'Error' }));
  }
}
