//! Which credential scheme the client uses, and whether Cloudflare confirmed it when the
//! provider started: safe to show, so errors can name the settings to check without holding
//! (or depending on) the credentials themselves.

/// Which credential scheme is in use; safe to show, used to word authentication errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    Token,
    KeyAndEmail,
}

impl AuthKind {
    /// What the user should check when Cloudflare rejects the credentials.
    pub fn hint(self) -> &'static str {
        match self {
            AuthKind::Token => {
                "check the API token (provider attribute `api_token` or environment variable \
                 CLOUDFLARE_API_TOKEN): it must be valid, not expired, and allowed to edit this \
                 zone's cache settings"
            }
            AuthKind::KeyAndEmail => {
                "check the Global API key and its account email (provider attributes `api_key` and \
                 `email`, or environment variables CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL)"
            }
        }
    }
}

/// The scheme, and whether the start-up check confirmed the credential is alive: then a refusal
/// is about one zone's permissions, not about the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthContext {
    pub kind: AuthKind,
    pub confirmed: bool,
}

impl From<AuthKind> for AuthContext {
    fn from(kind: AuthKind) -> Self {
        AuthContext { kind, confirmed: false }
    }
}

impl AuthContext {
    /// What the user should check when Cloudflare refuses a request.
    pub fn hint(self) -> &'static str {
        match (self.confirmed, self.kind) {
            (false, kind) => kind.hint(),
            (true, AuthKind::Token) => {
                "Cloudflare confirmed this API token when the provider started, so it is most \
                 likely not allowed to edit this zone's cache settings: check the zones and \
                 permissions the token covers (provider attribute `api_token` or environment \
                 variable CLOUDFLARE_API_TOKEN)"
            }
            (true, AuthKind::KeyAndEmail) => {
                "Cloudflare confirmed the Global API key when the provider started, so the user \
                 it belongs to (`email` or CLOUDFLARE_EMAIL) most likely has no access to this \
                 zone's cache settings"
            }
        }
    }
}
