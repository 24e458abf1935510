//! Conversions between the plain protocol types and the generated protobuf types. This is the
//! only place (besides `server`) that touches `crate::proto`.

use crate::proto::tfplugin5 as pb;

use super::codec::CodecError;
use super::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use super::schema::{Attribute, Block, NestedBlock, NestingMode, Schema};
use super::types::Type;
use super::value::Value;
use super::{json, msgpack};

pub(crate) fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    let steps = path
        .steps
        .iter()
        .map(|step| pb::attribute_path::Step {
            selector: Some(match step {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                PathStep::Index(index) => Selector::ElementKeyInt(*index),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

#[cfg(test)]
pub(crate) fn path_from_proto(path: &pb::AttributePath) -> AttributePath {
    use pb::attribute_path::step::Selector;
    let steps = path
        .steps
        .iter()
        .filter_map(|step| step.selector.as_ref())
        .map(|selector| match selector {
            Selector::AttributeName(name) => PathStep::Attribute(name.clone()),
            Selector::ElementKeyString(key) => PathStep::Key(key.clone()),
            Selector::ElementKeyInt(index) => PathStep::Index(*index),
        })
        .collect();
    AttributePath { steps }
}

pub(crate) fn diagnostic_to_proto(diagnostic: Diagnostic) -> pb::Diagnostic {
    let severity = match diagnostic.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: diagnostic.summary,
        detail: diagnostic.detail,
        attribute: diagnostic.path.as_ref().map(path_to_proto),
    }
}

pub(crate) fn diagnostics_to_proto(diagnostics: Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics.into_iter().map(diagnostic_to_proto).collect()
}

/// An error diagnostic without a path.
pub(crate) fn error(summary: impl Into<String>, detail: impl Into<String>) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: summary.into(),
        detail: detail.into(),
        attribute: None,
    }
}

pub(crate) fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block)),
    }
}

fn block_to_proto(block: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: block.attributes.iter().map(attribute_to_proto).collect(),
        block_types: block
            .block_types
            .iter()
            .map(nested_block_to_proto)
            .collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: block.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute_to_proto(attribute: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type: attribute.ty.to_json_bytes(),
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: attribute.deprecated,
        write_only: false,
        deprecation_message: String::new(),
    }
}

fn nested_block_to_proto(nested: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as Pb;
    let nesting = match nested.nesting {
        NestingMode::Single => Pb::Single,
        NestingMode::List => Pb::List,
        NestingMode::Set => Pb::Set,
        NestingMode::Map => Pb::Map,
        NestingMode::Group => Pb::Group,
    };
    pb::schema::NestedBlock {
        type_name: nested.type_name.clone(),
        block: Some(block_to_proto(&nested.block)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

/// Decodes a DynamicValue: msgpack when present, else JSON; absent or empty means null.
pub(crate) fn decode_dynamic(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
) -> Result<Value, CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => msgpack::decode(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => json::decode(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Encodes as msgpack, the encoding every Terraform version reads.
pub(crate) fn encode_dynamic(value: &Value, ty: &Type) -> Result<pb::DynamicValue, CodecError> {
    Ok(pb::DynamicValue {
        msgpack: msgpack::encode(value, ty)?,
        json: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_survive_the_round_trip() {
        let path = AttributePath::new("mappings")
            .key("192.0.2.1")
            .index(2)
            .attr("region");
        let proto = path_to_proto(&path);
        assert_eq!(proto.steps.len(), 4);
        assert_eq!(path_from_proto(&proto), path);
    }

    #[test]
    fn diagnostics_keep_severity_and_path() {
        let mut diags = Diagnostics::new();
        diags.warning("careful", "detail");
        diags.error_at(AttributePath::new("zone_id"), "bad", "");
        let proto = diagnostics_to_proto(diags);
        assert_eq!(proto[0].severity, pb::diagnostic::Severity::Warning as i32);
        assert_eq!(proto[0].attribute, None);
        assert_eq!(proto[1].severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(
            proto[1].attribute.as_ref().map(path_from_proto),
            Some(AttributePath::new("zone_id"))
        );
    }

    #[test]
    fn schema_converts_with_markdown_and_types() {
        let schema = Schema::new(
            2,
            Block::new()
                .description("The **thing**.")
                .attribute(
                    Attribute::required("name", Type::String)
                        .description("Name.")
                        .sensitive(),
                )
                .attribute(Attribute::optional_computed(
                    "tags",
                    Type::map(Type::String),
                ))
                .nested_block(
                    NestedBlock::new(
                        "rule",
                        NestingMode::List,
                        Block::new().attribute(Attribute::computed("id", Type::Number)),
                    )
                    .min_items(1)
                    .max_items(3),
                ),
        );
        let proto = schema_to_proto(&schema);
        assert_eq!(proto.version, 2);
        let block = proto.block.unwrap();
        assert_eq!(block.description, "The **thing**.");
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
        let name = &block.attributes[0];
        assert_eq!(
            (name.name.as_str(), name.r#type.as_slice()),
            ("name", &br#""string""#[..])
        );
        assert!(name.required && name.sensitive && !name.optional && !name.computed);
        let tags = &block.attributes[1];
        assert_eq!(tags.r#type, br#"["map","string"]"#);
        assert!(tags.optional && tags.computed);
        let rule = &block.block_types[0];
        assert_eq!(
            rule.nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
        assert_eq!((rule.min_items, rule.max_items), (1, 3));
        assert!(rule.block.as_ref().unwrap().attributes[0].computed);
    }

    #[test]
    fn dynamic_values_prefer_msgpack_and_default_to_null() {
        let ty = Type::String;
        assert_eq!(decode_dynamic(None, &ty).unwrap(), Value::Null);
        let json_only = pb::DynamicValue {
            msgpack: vec![],
            json: br#""j""#.to_vec(),
        };
        assert_eq!(
            decode_dynamic(Some(&json_only), &ty).unwrap(),
            Value::from("j")
        );
        let encoded = encode_dynamic(&Value::from("m"), &ty).unwrap();
        assert_eq!(
            decode_dynamic(Some(&encoded), &ty).unwrap(),
            Value::from("m")
        );
    }
}
