//! The start-up credential check against the emulator: which answers reject a credential (only
//! certain ones), which leave it to the first zone call, and how many requests each costs.

use terraform_provider_cloudflare::cloudflare::{Client, ClientConfig, CredentialVerdict, Credentials, Secret};
use terraform_provider_cloudflare::emulator::{Emulator, EmulatorConfig, TokenStatus};
use tokio_util::sync::CancellationToken;

const ACCOUNT: &str = "9a7806061c88ada191ed06f989cc3dac";
const OTHER_ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const OLD_TOKEN: &str = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
const USER_TOKEN: &str = "cfut_Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY1a2b3c4d";
const ACCOUNT_TOKEN: &str = "cfat_Zq8pWlq4N0cLQ2mT7rXy5vB1nK3jH6gF9dS2aE4u7f1e2d3c";
const KEY: &str = "0123456789abcdef0123456789abcdef01234";
const EMAIL: &str = "ops@example.com";

/// The emulator accepting `token` (owned by `account` when given) with `status`, and the global
/// key with its e-mail.
async fn emulator(token: &str, account: Option<&str>, status: TokenStatus) -> Emulator {
    let config = EmulatorConfig {
        api_token: Some(token.to_string()),
        api_key: Some(KEY.into()),
        api_email: Some(EMAIL.into()),
        token_account: account.map(str::to_string),
        token_status: status,
        ..EmulatorConfig::default()
    };
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// The verdict for `credentials` (with `account_id`) and the paths it asked.
async fn check(emulator: &Emulator, credentials: Credentials, account_id: Option<&str>) -> (CredentialVerdict, Vec<String>) {
    let verdict = check_at(&emulator.base_url(), credentials, account_id).await;
    let paths = emulator.control().requests().into_iter().map(|request| request.path.replace("/client/v4", "")).collect();
    (verdict, paths)
}

async fn check_at(base_url: &str, credentials: Credentials, account_id: Option<&str>) -> CredentialVerdict {
    let mut config = ClientConfig::new(base_url.parse().unwrap(), credentials);
    config.account_id = account_id.map(str::to_string);
    config.max_retries = 0;
    Client::new(config, CancellationToken::new()).unwrap().check_credentials().await
}

/// A server on 127.0.0.1 that answers every request with `status` and `body` until it has been
/// quiet for 300 ms; it returns how many requests it answered.
async fn canned_answer(status: &'static str, body: &'static str) -> (String, tokio::task::JoinHandle<usize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/client/v4", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut answered = 0;
        while let Ok(Ok((mut stream, _))) = tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let answer = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            let _ = stream.write_all(answer.as_bytes()).await;
            answered += 1;
        }
        answered
    });
    (url, server)
}

fn token(text: &str) -> Credentials {
    Credentials::Token(Secret::new(text))
}

fn rejected(verdict: &CredentialVerdict) -> &str {
    match verdict {
        CredentialVerdict::Rejected(detail) => detail,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn user_tokens_are_checked_once_and_dead_ones_rejected() {
    for text in [OLD_TOKEN, USER_TOKEN] {
        let api = emulator(text, None, TokenStatus::Active).await;
        assert_eq!(check(&api, token(text), None).await, (CredentialVerdict::Accepted, vec!["/user/tokens/verify".to_string()]));
    }
    for status in [TokenStatus::Disabled, TokenStatus::Expired] {
        let api = emulator(USER_TOKEN, None, status).await;
        let (verdict, paths) = check(&api, token(USER_TOKEN), Some(ACCOUNT)).await;
        assert!(rejected(&verdict).contains(&format!("this API token is {}", status.as_str())), "{verdict:?}");
        assert_eq!(paths.len(), 1);
    }
    let api = emulator(USER_TOKEN, None, TokenStatus::Active).await;
    let (verdict, _) = check(&api, token("cfut_WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONG0a1b2c3d"), None).await;
    let detail = rejected(&verdict);
    assert!(detail.starts_with("Cloudflare answered GET /user/tokens/verify with HTTP 401: [1000]"), "{detail}");
    assert!(!detail.contains("WRONGWRONG") && !detail.contains("rejected the credentials"), "{detail}");
}

#[tokio::test]
async fn account_tokens_are_checked_only_at_their_account() {
    // Prefixed: asked only at the account, and only when it is known.
    let api = emulator(ACCOUNT_TOKEN, Some(ACCOUNT), TokenStatus::Active).await;
    let (verdict, paths) = check(&api, token(ACCOUNT_TOKEN), None).await;
    assert!(matches!(verdict, CredentialVerdict::Unchecked(_)) && paths.is_empty(), "{verdict:?} {paths:?}");
    let (verdict, paths) = check(&api, token(ACCOUNT_TOKEN), Some(ACCOUNT)).await;
    assert_eq!((verdict, paths), (CredentialVerdict::Accepted, vec![format!("/accounts/{ACCOUNT}/tokens/verify")]));
    // Refused at another account: maybe `account_id` is another tool's, so never a rejection.
    let (verdict, _) = check(&api, token(ACCOUNT_TOKEN), Some(OTHER_ACCOUNT)).await;
    assert!(matches!(&verdict, CredentialVerdict::Unchecked(why) if why.contains(OTHER_ACCOUNT)), "{verdict:?}");

    // Made before the prefixes: the user check refuses it, which proves nothing on its own.
    let api = emulator(OLD_TOKEN, Some(ACCOUNT), TokenStatus::Active).await;
    let (verdict, paths) = check(&api, token(OLD_TOKEN), None).await;
    assert!(matches!(verdict, CredentialVerdict::Unchecked(_)), "a valid account token is never refused: {verdict:?}");
    assert_eq!(paths, ["/user/tokens/verify"]);
    let (verdict, _) = check(&api, token(OLD_TOKEN), Some(ACCOUNT)).await;
    assert_eq!(verdict, CredentialVerdict::Accepted);
    let (verdict, paths) = check(&api, token("another-old-token-0000000000000000000000"), Some(ACCOUNT)).await;
    assert!(matches!(verdict, CredentialVerdict::Unchecked(_)), "{verdict:?}");
    assert_eq!(paths.len(), 5, "1 check without the account, then 2 (user, account) for each of the others: {paths:?}");
    let api = emulator(OLD_TOKEN, Some(ACCOUNT), TokenStatus::Expired).await;
    assert!(rejected(&check(&api, token(OLD_TOKEN), Some(ACCOUNT)).await.0).contains("this API token is expired"));
}

#[tokio::test]
async fn global_keys_are_checked_at_the_user() {
    let api = emulator(OLD_TOKEN, None, TokenStatus::Active).await;
    let key = |key: &str, email: &str| Credentials::KeyAndEmail { key: Secret::new(key), email: email.into() };
    assert_eq!(check(&api, key(KEY, EMAIL), None).await, (CredentialVerdict::Accepted, vec!["/user".to_string()]));
    let (verdict, _) = check(&api, key(KEY, "someone@example.com"), None).await;
    let detail = rejected(&verdict);
    assert!(detail.starts_with("Cloudflare answered GET /user with HTTP 403: [9103]") && detail.contains("CLOUDFLARE_EMAIL"), "{detail}");
    assert!(!detail.contains(KEY), "{detail}");
}

#[tokio::test]
async fn no_certain_answer_never_rejects() {
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/client/v4", closed.local_addr().unwrap());
    drop(closed);
    assert!(matches!(check_at(&url, token(USER_TOKEN), None).await, CredentialVerdict::Unchecked(_)));
    // A proxy in front of the API refusing these paths with a bare 403 (no Cloudflare codes), a
    // server error and a rate limit with Cloudflare's envelope: one attempt each, never a rejection.
    let envelope = r#"{"success":false,"errors":[{"code":10000,"message":"x"}],"messages":[],"result":null}"#;
    for (status, body) in [("403 Forbidden", "Forbidden"), ("500 Internal Server Error", envelope), ("429 Too Many Requests", envelope)] {
        let (url, server) = canned_answer(status, body).await;
        let verdict = check_at(&url, token(USER_TOKEN), None).await;
        assert!(matches!(&verdict, CredentialVerdict::Unchecked(why) if why.contains(&status[..3]) || why.contains("rate limit")), "{status}: {verdict:?}");
        assert_eq!(server.await.unwrap(), 1, "{status}: asked once, no retry");
    }
    // A base URL whose check routes do not exist (a gateway that serves zone paths only).
    let api = emulator(USER_TOKEN, None, TokenStatus::Active).await;
    let url = format!("{}/gateway", api.base_url());
    let verdict = check_at(&url, token(USER_TOKEN), None).await;
    assert!(matches!(&verdict, CredentialVerdict::Unchecked(why) if why.contains("404")), "{verdict:?}");
}
