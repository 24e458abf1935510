//! Schemas as plain data: what the provider, each resource and each data source accept.

use std::collections::BTreeMap;

use super::types::Type;

/// A versioned block schema. For resources `version` is the state schema version.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

/// A configuration block: attributes plus nested block types. `description` is markdown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

/// One attribute. Exactly one of `required`/`optional`/`computed` combinations Terraform accepts:
/// required; optional; computed; optional + computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestingMode {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: NestingMode,
    pub min_items: i64,
    pub max_items: i64,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Schema {
        Schema { version, block }
    }

    /// The type of the whole value (an object) that Terraform sends for this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

impl Block {
    pub fn new() -> Block {
        Block::default()
    }

    pub fn attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    pub fn nested_block(mut self, nested: NestedBlock) -> Block {
        self.block_types.push(nested);
        self
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Block {
        self.description = markdown.into();
        self
    }

    pub fn deprecated(mut self) -> Block {
        self.deprecated = true;
        self
    }

    /// An object type with one attribute per schema attribute and per nested block type.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for nested in &self.block_types {
            let inner = nested.block.value_type();
            let ty = match nested.nesting {
                NestingMode::Single | NestingMode::Group => inner,
                NestingMode::List => Type::list(inner),
                NestingMode::Set => Type::set(inner),
                NestingMode::Map => Type::map(inner),
            };
            attrs.insert(nested.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

impl Attribute {
    fn new(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    pub fn required(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::new(name, ty)
        }
    }

    pub fn optional(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::new(name, ty)
        }
    }

    pub fn computed(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::new(name, ty)
        }
    }

    pub fn optional_computed(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::new(name, ty)
        }
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Attribute {
        self.description = markdown.into();
        self
    }

    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    pub fn deprecated(mut self) -> Attribute {
        self.deprecated = true;
        self
    }
}

impl NestedBlock {
    pub fn new(type_name: impl Into<String>, nesting: NestingMode, block: Block) -> NestedBlock {
        NestedBlock {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    pub fn min_items(mut self, n: i64) -> NestedBlock {
        self.min_items = n;
        self
    }

    pub fn max_items(mut self, n: i64) -> NestedBlock {
        self.max_items = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_covers_attributes_and_blocks() {
        let block = Block::new()
            .attribute(Attribute::required("zone_id", Type::String))
            .attribute(Attribute::computed("id", Type::String))
            .nested_block(NestedBlock::new(
                "mapping",
                NestingMode::Set,
                Block::new().attribute(Attribute::required("ip", Type::String)),
            ))
            .nested_block(NestedBlock::new(
                "timeouts",
                NestingMode::Single,
                Block::new(),
            ));
        let expected = Type::object([
            ("id", Type::String),
            ("zone_id", Type::String),
            ("mapping", Type::set(Type::object([("ip", Type::String)]))),
            ("timeouts", Type::object::<String>([])),
        ]);
        assert_eq!(block.value_type(), expected);
        assert!(block.find_attribute("zone_id").is_some_and(|a| a.required));
    }
}
