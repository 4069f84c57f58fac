// A real OpenID provider (oidc-provider) on loopback for Linli's SSO tests.
// Usage: node provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI. Prints "ready <issuer>" when up.
// Development interactions: any login name signs in as that account (see ACCOUNTS for claims).
import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  'worker-li': {
    name: '李建国', phone_number: '+8613800000002', phone_number_verified: true, groups: ['street-staff'],
  },
  'grid-new': {
    name: '钱网格', phone_number: '13900000077', phone_number_verified: true, groups: ['grid-demo'],
  },
  stranger: { name: '路人', groups: ['visitors'] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'linli',
    client_secret: 'linli-test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'], profile: ['name'], phone: ['phone_number', 'phone_number_verified'], groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'phone', 'groups'],
  cookies: { keys: ['linli-test-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
