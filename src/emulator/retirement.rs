//! How a retired v1 family answers. Cloudflare's OpenAPI marks every v1 operation deprecated
//! with an end of life of 2026-10-01; what the routes answer afterwards is not documented, so
//! the emulator offers the shapes a client must be ready for.

use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;

use super::envelope::{codes, ApiFailure};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum V1Retirement {
    /// 404, code 7003 "No route for that URI".
    #[default]
    NotFound,
    /// 400, codes 7003 "Could not route to …, perhaps your object identifier is invalid?" and
    /// 7000 "No route for that URI" — the same answer as for a malformed zone id.
    Unroutable,
    /// 405, code 7000 "No route for that URI".
    MethodNotAllowed,
    /// 410 with a deprecation message (no routing code).
    Gone,
}

impl V1Retirement {
    pub const ALL: [V1Retirement; 4] =
        [V1Retirement::NotFound, V1Retirement::Unroutable, V1Retirement::MethodNotAllowed, V1Retirement::Gone];

    /// The answer to any v1 request for `path`.
    pub fn failure(self, path: &str) -> ApiFailure {
        match self {
            V1Retirement::NotFound => codes::no_route(),
            V1Retirement::Unroutable => codes::unroutable(path),
            V1Retirement::MethodNotAllowed => {
                ApiFailure::new(StatusCode::METHOD_NOT_ALLOWED, 7000, codes::NO_ROUTE_TEXT)
            }
            V1Retirement::Gone => ApiFailure::new(
                StatusCode::GONE,
                1000,
                "The /cache/origin_cloud_regions endpoints reached their end of life on 2026-10-01; \
                 use /zones/{zone_id}/origin/cloud_regions",
            ),
        }
    }

    /// The status code naming the style: "404", "400", "405" or "410".
    pub fn as_str(self) -> &'static str {
        match self {
            V1Retirement::NotFound => "404",
            V1Retirement::Unroutable => "400",
            V1Retirement::MethodNotAllowed => "405",
            V1Retirement::Gone => "410",
        }
    }
}

impl fmt::Display for V1Retirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for V1Retirement {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        V1Retirement::ALL
            .into_iter()
            .find(|style| style.as_str() == text.trim())
            .ok_or_else(|| format!("{text:?} is not a retired-v1 style; use 404, 400, 405 or 410"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_style_answers_with_an_envelope() {
        for style in V1Retirement::ALL {
            let failure = style.failure("/client/v4/zones/z/cache/origin_cloud_regions");
            assert_eq!(failure.status.as_str(), style.as_str());
            let body = failure.body();
            assert_eq!(body["success"], false);
            assert!(body["errors"].as_array().is_some_and(|errors| !errors.is_empty()));
            assert_eq!(style.as_str().parse::<V1Retirement>(), Ok(style));
        }
        let codes: Vec<_> = V1Retirement::Unroutable.failure("/p").body()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| error["code"].as_u64().unwrap())
            .collect();
        assert_eq!(codes, [7003, 7000]);
        assert!("418".parse::<V1Retirement>().is_err());
    }
}
