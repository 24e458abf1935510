//! ReadDataSource steps every data source takes: check the inputs, require the ones the read
//! needs, get the client, then fetch. Any failure answers with the configuration unchanged.

use std::future::Future;
use std::sync::Arc;

use crate::cloudflare::Client;
use crate::provider::data::ProviderData;
use crate::tfplugin::{Diagnostics, ReadDataSourceResponse, Value};

/// `required` picks the inputs out of `config` (or says which are missing); `fetch` turns them
/// into the new state.
pub async fn read_data_source<'c, T, F, Fut>(
    data: &ProviderData,
    config: &'c Value,
    check: impl FnOnce(&Value) -> Diagnostics,
    required: impl FnOnce(&'c Value) -> Result<T, Diagnostics>,
    fetch: F,
) -> ReadDataSourceResponse
where
    F: FnOnce(Arc<Client>, T) -> Fut,
    Fut: Future<Output = Result<Value, Diagnostics>>,
{
    let fail = |diagnostics| ReadDataSourceResponse { state: config.clone(), diagnostics };
    let diagnostics = check(config);
    if diagnostics.has_errors() {
        return fail(diagnostics);
    }
    let inputs = match required(config) {
        Ok(inputs) => inputs,
        Err(diagnostics) => return fail(diagnostics),
    };
    let client = match data.client() {
        Ok(client) => client,
        Err(diagnostics) => return fail(diagnostics),
    };
    let (state, mut diagnostics) = match fetch(client.clone(), inputs).await {
        Ok(state) => (state, Diagnostics::new()),
        Err(diagnostics) => (config.clone(), diagnostics),
    };
    super::family_memory::add_switch_notice(&client, &mut diagnostics);
    ReadDataSourceResponse { state, diagnostics }
}
