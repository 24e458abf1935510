//! Registry documentation (`docs/` in the Terraform registry layout) rendered from the
//! provider's own schemas and the example files under `examples/`, so the docs can never
//! disagree with what the provider accepts. `tests/docs_fresh.rs` fails when `docs/` is stale.

use std::collections::BTreeMap;
use std::path::Path;

use crate::provider_address::{BINARY_NAME, LOCAL_NAME};
use crate::tfplugin::{Attribute, Block, Provider, Schema, Type};

/// The prefix of every resource and data source type name (the registry's page names drop it).
const TYPE_NAME_PREFIX: &str = "cloudflare";

/// One documentation page: where it goes under `docs/` and its markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub markdown: String,
}

/// Every page for `provider`, reading examples from `examples_dir`.
pub fn render_all(provider: &dyn Provider, examples_dir: &Path) -> Vec<Page> {
    let mut pages = vec![Page {
        path: "index.md".to_string(),
        markdown: render_index(&provider.schema(), examples_dir),
    }];
    let resources: BTreeMap<&str, Schema> =
        provider.resources().iter().map(|r| (r.type_name(), r.schema())).collect();
    for (name, schema) in resources {
        pages.push(Page {
            path: format!("resources/{}.md", short_name(name)),
            markdown: render_type(name, "Resource", &schema, &examples_dir.join("resources").join(name)),
        });
    }
    let data_sources: BTreeMap<&str, Schema> =
        provider.data_sources().iter().map(|d| (d.type_name(), d.schema())).collect();
    for (name, schema) in data_sources {
        pages.push(Page {
            path: format!("data-sources/{}.md", short_name(name)),
            markdown: render_type(name, "Data Source", &schema, &examples_dir.join("data-sources").join(name)),
        });
    }
    pages
}

/// The registry names pages without the provider prefix.
fn short_name(type_name: &str) -> &str {
    type_name.strip_prefix(&format!("{TYPE_NAME_PREFIX}_")).unwrap_or(type_name)
}

fn render_index(schema: &Schema, examples_dir: &Path) -> String {
    let mut out = front_matter(&format!("{LOCAL_NAME} Provider"), &schema.block.description);
    out.push_str(&format!("# {LOCAL_NAME} Provider\n\n"));
    push_paragraph(&mut out, &schema.block.description);
    push_example(&mut out, "Example Usage", &examples_dir.join("provider").join("provider.tf"), "terraform");
    push_guide(&mut out, &examples_dir.join("provider").join("guide.md"));
    out.push_str("## Schema\n\n");
    push_attributes(&mut out, &schema.block);
    out
}

fn render_type(name: &str, kind: &str, schema: &Schema, examples: &Path) -> String {
    let mut out = front_matter(&format!("{name} {kind} - {BINARY_NAME}"), &schema.block.description);
    out.push_str(&format!("# {name} ({kind})\n\n"));
    push_paragraph(&mut out, &schema.block.description);
    let example = if kind == "Resource" { "resource.tf" } else { "data-source.tf" };
    push_example(&mut out, "Example Usage", &examples.join(example), "terraform");
    out.push_str("## Schema\n\n");
    push_attributes(&mut out, &schema.block);
    if kind == "Resource" {
        let import = examples.join("import.sh");
        if import.is_file() {
            out.push_str("## Import\n\nImport is supported using the following syntax:\n\n");
            push_code(&mut out, &import, "shell");
        }
    }
    // Behaviour worth a section of its own, written as markdown beside the examples.
    push_guide(&mut out, &examples.join("notes.md"));
    out
}

fn front_matter(title: &str, description: &str) -> String {
    let mut out = format!("---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n");
    for line in first_paragraph(description).lines() {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str("---\n\n");
    out
}

fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or("").trim()
}

fn push_paragraph(out: &mut String, text: &str) {
    if !text.trim().is_empty() {
        out.push_str(text.trim());
        out.push_str("\n\n");
    }
}

fn push_example(out: &mut String, heading: &str, file: &Path, language: &str) {
    if file.is_file() {
        out.push_str(&format!("## {heading}\n\n"));
        push_code(out, file, language);
    }
}

/// Prose sections kept beside the examples (markdown with its own headings), when present.
fn push_guide(out: &mut String, file: &Path) {
    if let Ok(text) = std::fs::read_to_string(file) {
        push_paragraph(out, &text);
    }
}

fn push_code(out: &mut String, file: &Path, language: &str) {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    out.push_str(&format!("```{language}\n{}\n```\n\n", text.trim_end()));
}

/// Attributes grouped the way registry pages are: Required, Optional, Read-Only.
fn push_attributes(out: &mut String, block: &Block) {
    let mut sorted: Vec<&Attribute> = block.attributes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    type Membership = fn(&Attribute) -> bool;
    let groups: [(&str, Membership); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, belongs) in groups {
        let members: Vec<&&Attribute> = sorted.iter().filter(|a| belongs(a)).collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&format!("### {title}\n\n"));
        for attribute in members {
            let mut traits = vec![type_label(&attribute.ty)];
            if attribute.sensitive {
                traits.push("Sensitive".to_string());
            }
            if attribute.deprecated {
                traits.push("Deprecated".to_string());
            }
            let description = attribute.description.trim().replace('\n', " ");
            out.push_str(&format!("- `{}` ({}) {}\n", attribute.name, traits.join(", "), description));
        }
        out.push('\n');
    }
}

/// A type as registry pages spell it, e.g. "Map of Object" or "List of String".
fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(element) => format!("List of {}", type_label(element)),
        Type::Set(element) => format!("Set of {}", type_label(element)),
        Type::Map(element) => format!("Map of {}", type_label(element)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_labels_read_like_registry_pages() {
        let object = Type::object([("vendor", Type::String)]);
        assert_eq!(type_label(&Type::map(object)), "Map of Object");
        assert_eq!(type_label(&Type::list(Type::String)), "List of String");
        assert_eq!(type_label(&Type::Bool), "Boolean");
    }

    #[test]
    fn attributes_are_grouped_and_annotated() {
        let block = Block::new()
            .attribute(Attribute::required("zone_id", Type::String).description("The zone."))
            .attribute(Attribute::optional("api_token", Type::String).sensitive().description("Token."))
            .attribute(Attribute::computed("id", Type::String).description("Same as zone_id."));
        let mut out = String::new();
        push_attributes(&mut out, &block);
        assert_eq!(
            out,
            "### Required\n\n- `zone_id` (String) The zone.\n\n### Optional\n\n- `api_token` (String, Sensitive) Token.\n\n### Read-Only\n\n- `id` (String) Same as zone_id.\n\n"
        );
    }
}
