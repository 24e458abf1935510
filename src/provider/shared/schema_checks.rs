//! Every schema the provider serves documents itself and each attribute (the docs are built
//! from these descriptions), checked once here for all types.

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use crate::provider::CloudflareProvider;
    use crate::tfplugin::{Provider, Schema, StopSignal};

    fn assert_documented(type_name: &str, schema: &Schema) {
        assert!(!schema.block.description.is_empty(), "{type_name}");
        for attribute in &schema.block.attributes {
            assert!(!attribute.description.is_empty(), "{type_name}.{}", attribute.name);
        }
    }

    #[test]
    fn every_served_type_is_documented() {
        let provider = CloudflareProvider::new(StopSignal::new(CancellationToken::new()));
        let resources = provider.resources();
        let data_sources = provider.data_sources();
        assert_eq!((resources.len(), data_sources.len()), (2, 3));
        for resource in resources {
            assert_documented(resource.type_name(), &resource.schema());
        }
        for data_source in data_sources {
            assert_documented(data_source.type_name(), &data_source.schema());
        }
    }
}
