//! Command-line arguments. Terraform starts the provider with none; people use `--debug` and
//! `--version` (single-dash forms are accepted too, as Go's flag package does).

use thiserror::Error;

/// The provider's address in Terraform's registry namespace (used for reattach).
pub const DEFAULT_PROVIDER_ADDRESS: &str = crate::provider_address::ADDRESS;

/// What the process was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Normal plugin mode: Terraform launched us (cookie required).
    Serve,
    /// Serve on our own, plaintext, and print a `TF_REATTACH_PROVIDERS` value.
    Debug {
        provider_address: String,
    },
    Version,
    Help,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ArgsError {
    #[error("unknown argument {0:?} (expected --debug, --provider-address=ADDRESS, --version or --help)")]
    Unknown(String),
    #[error("--provider-address needs a value such as {DEFAULT_PROVIDER_ADDRESS}")]
    MissingAddress,
    #[error("--provider-address only makes sense together with --debug")]
    AddressWithoutDebug,
}

/// Parses the arguments after the program name.
pub fn parse<I>(args: I) -> Result<Command, ArgsError>
where
    I: IntoIterator<Item = String>,
{
    let mut debug = false;
    let mut version = false;
    let mut help = false;
    let mut address: Option<String> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let flag = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        let (name, inline_value) = match flag {
            Some(flag) => match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (flag, None),
            },
            None => return Err(ArgsError::Unknown(arg)),
        };
        match (name, inline_value) {
            ("debug", None) => debug = true,
            ("version" | "v", None) => version = true,
            ("help" | "h", None) => help = true,
            ("provider-address", value) => {
                let value = value
                    .or_else(|| args.next())
                    .filter(|value| !value.is_empty());
                address = Some(value.ok_or(ArgsError::MissingAddress)?);
            }
            _ => return Err(ArgsError::Unknown(arg)),
        }
    }
    if help {
        return Ok(Command::Help);
    }
    if version {
        return Ok(Command::Version);
    }
    match (debug, address) {
        (true, address) => Ok(Command::Debug {
            provider_address: address.unwrap_or_else(|| DEFAULT_PROVIDER_ADDRESS.to_string()),
        }),
        (false, Some(_)) => Err(ArgsError::AddressWithoutDebug),
        (false, None) => Ok(Command::Serve),
    }
}

/// Text for `--help` and for a run without Terraform's magic cookie.
pub fn usage(program: &str) -> String {
    format!(
        "This is a Terraform provider plugin ({DEFAULT_PROVIDER_ADDRESS}).\n\
         It is not meant to be run by hand: Terraform starts it when a configuration uses the\n\
         provider (install it where Terraform looks for providers, then run terraform plan/apply).\n\
         \n\
         Usage:\n  \
         {program} --debug [--provider-address=ADDRESS]\n      \
         serve without Terraform starting it and print the TF_REATTACH_PROVIDERS value to export\n  \
         {program} --version\n      \
         print the provider version\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, ArgsError> {
        parse(args.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn no_arguments_means_serve() {
        assert_eq!(parse_strs(&[]), Ok(Command::Serve));
    }

    #[test]
    fn debug_uses_the_registry_address_unless_given_one() {
        let default = Command::Debug {
            provider_address: DEFAULT_PROVIDER_ADDRESS.into(),
        };
        assert_eq!(parse_strs(&["--debug"]), Ok(default.clone()));
        assert_eq!(parse_strs(&["-debug"]), Ok(default));
        let custom = Command::Debug {
            provider_address: "example.com/me/cloudflare".into(),
        };
        assert_eq!(
            parse_strs(&["--debug", "--provider-address=example.com/me/cloudflare"]),
            Ok(custom.clone())
        );
        assert_eq!(
            parse_strs(&["--provider-address", "example.com/me/cloudflare", "--debug"]),
            Ok(custom)
        );
    }

    #[test]
    fn version_and_help() {
        assert_eq!(parse_strs(&["--version"]), Ok(Command::Version));
        assert_eq!(parse_strs(&["-v"]), Ok(Command::Version));
        assert_eq!(parse_strs(&["--help"]), Ok(Command::Help));
    }

    #[test]
    fn mistakes_are_reported() {
        assert_eq!(
            parse_strs(&["serve"]),
            Err(ArgsError::Unknown("serve".into()))
        );
        assert_eq!(
            parse_strs(&["--debug=yes"]),
            Err(ArgsError::Unknown("--debug=yes".into()))
        );
        assert_eq!(
            parse_strs(&["--debug", "--provider-address"]),
            Err(ArgsError::MissingAddress)
        );
        assert_eq!(
            parse_strs(&["--debug", "--provider-address="]),
            Err(ArgsError::MissingAddress)
        );
        assert_eq!(
            parse_strs(&["--provider-address=x/y"]),
            Err(ArgsError::AddressWithoutDebug)
        );
    }

    #[test]
    fn usage_mentions_debug_and_version() {
        let text = usage(crate::provider_address::BINARY_NAME);
        assert!(text.contains("--debug") && text.contains("--version"));
    }
}
