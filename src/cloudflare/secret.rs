//! Credentials, held so that they can never leak through `Debug`, `Display` or logs.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use super::auth_kind::AuthKind;
use super::error::ApiError;

/// A secret string (API token or Global API key). `Debug` and `Display` print `<redacted>`;
/// only [`Secret::expose`] hands out the text, and only the transport calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret text itself. Use only to build request headers.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Self(text.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the client authenticates (Cloudflare documents both schemes on every endpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: Bearer <token>` (preferred).
    Token(Secret),
    /// Legacy Global API key: `X-Auth-Key` + `X-Auth-Email`.
    KeyAndEmail { key: Secret, email: String },
}

const X_AUTH_KEY: HeaderName = HeaderName::from_static("x-auth-key");
const X_AUTH_EMAIL: HeaderName = HeaderName::from_static("x-auth-email");

impl Credentials {
    pub fn kind(&self) -> AuthKind {
        match self {
            Credentials::Token(_) => AuthKind::Token,
            Credentials::KeyAndEmail { .. } => AuthKind::KeyAndEmail,
        }
    }

    /// The authentication headers, marked sensitive so HTTP stacks never print them.
    pub(crate) fn headers(&self) -> Result<HeaderMap, ApiError> {
        let mut headers = HeaderMap::new();
        match self {
            Credentials::Token(token) => {
                let value = sensitive_value(&format!("Bearer {}", token.expose()), "api_token")?;
                headers.insert(AUTHORIZATION, value);
            }
            Credentials::KeyAndEmail { key, email } => {
                headers.insert(X_AUTH_KEY, sensitive_value(key.expose(), "api_key")?);
                headers.insert(X_AUTH_EMAIL, sensitive_value(email, "email")?);
            }
        }
        Ok(headers)
    }
}

/// A header value that HTTP libraries redact in their own Debug output. The error names the
/// setting, never its content.
fn sensitive_value(text: &str, setting: &str) -> Result<HeaderValue, ApiError> {
    let mut value = HeaderValue::from_str(text).map_err(|_| {
        ApiError::Config(format!(
            "`{setting}` contains characters that cannot be sent in an HTTP header (line breaks or control characters?)"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_itself() {
        let credentials = Credentials::KeyAndEmail { key: Secret::new("k-123456"), email: "a@example.com".into() };
        let token = Credentials::Token(Secret::new("tok-abcdef"));
        for text in [format!("{credentials:?}"), format!("{token:?}"), format!("{}", Secret::new("tok-abcdef"))] {
            assert!(!text.contains("k-123456") && !text.contains("tok-abcdef"), "{text}");
        }
    }

    #[test]
    fn headers_per_scheme() {
        let token = Credentials::Token(Secret::new("tok")).headers().unwrap();
        assert_eq!(token.get(AUTHORIZATION).unwrap(), "Bearer tok");
        assert!(token.get(AUTHORIZATION).unwrap().is_sensitive());
        let key = Credentials::KeyAndEmail { key: Secret::new("key"), email: "me@example.com".into() }
            .headers()
            .unwrap();
        assert_eq!(key.get("x-auth-key").unwrap(), "key");
        assert_eq!(key.get("x-auth-email").unwrap(), "me@example.com");
        assert!(key.get(AUTHORIZATION).is_none());
    }

    #[test]
    fn bad_header_text_is_reported_without_the_secret() {
        let error = Credentials::Token(Secret::new("tok\nsecret")).headers().unwrap_err();
        let text = error.to_string();
        assert!(text.contains("api_token") && !text.contains("secret"), "{text}");
    }
}
