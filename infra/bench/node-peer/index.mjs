// The peer: client_credentials with @node-oauth/oauth2-server, clients and tokens in the same
// DynamoDB tables (same keys, same SHA-256 digests) as the Rust functions.
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import OAuth2Server from '@node-oauth/oauth2-server';

const db = new DynamoDBClient({});
const digest = (s) => createHash('sha256').update(s).digest('base64url');
const WORKSPACE = 'default';

const model = {
  async getClient(clientId, clientSecret) {
    const out = await db.send(new GetItemCommand({
      TableName: process.env.CLIENTS_TABLE,
      Key: { workspace: { S: WORKSPACE }, client_id: { S: clientId } },
    }));
    const item = out.Item;
    if (!item || !item.secret_digest || item.secret_digest.S !== digest(clientSecret)) return null;
    return {
      id: clientId,
      grants: item.grant_types.L.map((g) => g.S),
      scopes: item.scope?.SS ?? [],
      accessTokenLifetime: 3600,
    };
  },
  async getUserFromClient(client) {
    return { id: client.id };
  },
  async validateScope(user, client, scope) {
    if (!scope) return client.scopes;
    return scope.every((s) => client.scopes.includes(s)) ? scope : false;
  },
  async generateAccessToken() {
    return randomBytes(32).toString('base64url');
  },
  async saveToken(token, client, user) {
    const now = Math.floor(Date.now() / 1000);
    await db.send(new PutItemCommand({
      TableName: process.env.TOKENS_TABLE,
      Item: {
        id: { S: `${WORKSPACE}#${digest(token.accessToken)}` },
        kind: { S: 'access' },
        workspace: { S: WORKSPACE },
        client_id: { S: client.id },
        scope: { S: (token.scope || []).join(' ') },
        issued_at: { N: String(now) },
        expires_at: { N: String(Math.floor(token.accessTokenExpiresAt.getTime() / 1000)) },
      },
    }));
    return { ...token, client, user };
  },
};

const server = new OAuth2Server({ model, allowEmptyState: true });

// An API Gateway HTTP API (payload 2.0) event in, a proxy result out.
export async function handler(event) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body || '', 'base64').toString() : (event.body || '');
  // API Gateway drops content-length from the event; the library needs it to see a body.
  const headers = { ...event.headers, 'content-length': String(Buffer.byteLength(raw)) };
  const request = new OAuth2Server.Request({
    method: event.requestContext.http.method,
    headers,
    query: {},
    body: Object.fromEntries(new URLSearchParams(raw)),
  });
  const response = new OAuth2Server.Response({});
  try {
    await server.token(request, response, { requireClientAuthentication: { client_credentials: true } });
  } catch (e) {
    return { statusCode: e.code || 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: e.name, error_description: e.message }) };
  }
  return { statusCode: response.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(response.body) };
}
