//! `--debug`: the `TF_REATTACH_PROVIDERS` value that lets Terraform attach to a provider that
//! a person started (Terraform then connects without TLS and never stops the process).

use serde_json::json;

use super::handshake::ServeAddress;

/// The JSON object Terraform expects in `TF_REATTACH_PROVIDERS`.
pub fn reattach_json(
    provider_address: &str,
    protocol_version: u32,
    pid: u32,
    address: &ServeAddress,
) -> String {
    json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": protocol_version,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": address.network(), "String": address.to_string() },
        }
    })
    .to_string()
}

/// What `--debug` prints: how to attach, with the value ready to paste into a shell.
pub fn instructions(reattach_json: &str) -> String {
    format!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment \
         variable with the following:\n\n\
         \tTF_REATTACH_PROVIDERS='{reattach_json}'\n\n\
         Stop the provider with Ctrl-C (it keeps serving every Terraform command until then).\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_json_has_the_fields_terraform_reads() {
        let address = ServeAddress::Unix("/tmp/plugin42".into());
        let text = reattach_json(
            "registry.example/acme/thing",
            5,
            4242,
            &address,
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let entry = &value["registry.example/acme/thing"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 5);
        assert_eq!(entry["Pid"], 4242);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/plugin42");
    }

    #[test]
    fn instructions_quote_the_value_for_a_shell() {
        let text = instructions("{\"a\":1}");
        assert!(text.contains("TF_REATTACH_PROVIDERS='{\"a\":1}'"));
    }
}
