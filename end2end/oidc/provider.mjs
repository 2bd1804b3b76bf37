// A real OpenID Connect provider (the `oidc-provider` package) for the tests, on
// loopback. Its development sign-in form accepts any login name; the account's email is
// <login>@example.test, verified unless the login starts with "unverified".
//
//   OIDC_PORT=9000 OIDC_REDIRECT_URIS=http://127.0.0.1:3000/auth/local/callback node oidc/provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const redirectUris = (process.env.OIDC_REDIRECT_URIS || '').split(',').filter(Boolean);
if (!port || redirectUris.length === 0) {
  console.error('OIDC_PORT and OIDC_REDIRECT_URIS are needed');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'tandem',
      client_secret: 'tandem-test-secret',
      redirect_uris: redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: !id.startsWith('unverified'),
          name: `Tester ${id}`,
          picture: `https://avatars.example.test/${id}.png`,
        };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'picture'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['tandem-test-cookie-key'] },
  pkce: { required: () => true },
});
provider.on('server_error', (_ctx, error) => console.error('provider error', error));

provider.listen(port, '127.0.0.1', () => console.log(`oidc provider at ${issuer}`));
