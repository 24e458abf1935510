//! Which credential scheme the client uses: safe to show, so errors can name the settings to
//! check without holding (or depending on) the credentials themselves.

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
