//! The documented resource types, looked up by OData type name while checking a body. A type
//! documented on more than one page (an older revision and the current one) is merged: the
//! union of the properties, later pages filling in what earlier ones left out.

use std::collections::BTreeMap;

use crate::case::TypeFile;
use crate::case::model::PropertySpec;

/// All known types by OData name, case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct TypeRegistry {
    types: BTreeMap<String, TypeFile>,
}

impl TypeRegistry {
    pub fn new<'a>(files: impl IntoIterator<Item = &'a TypeFile>) -> Self {
        let mut types: BTreeMap<String, TypeFile> = BTreeMap::new();
        for file in files {
            let key = normalise(&file.name);
            match types.get_mut(&key) {
                Some(existing) => {
                    for (name, spec) in &file.properties {
                        existing.properties.entry(name.clone()).or_insert_with(|| spec.clone());
                    }
                    existing.open_type |= file.open_type;
                }
                None => {
                    types.insert(key, file.clone());
                }
            }
        }
        TypeRegistry { types }
    }

    pub fn get(&self, name: &str) -> Option<&TypeFile> {
        self.types.get(&normalise(name))
    }

    pub fn property<'a>(
        &'a self,
        type_name: Option<&str>,
        property: &str,
    ) -> Option<&'a PropertySpec> {
        self.get(type_name?)?.properties.get(property)
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

/// `#microsoft.graph.X` and `microsoft.graph.x` name the same type.
pub fn normalise(name: &str) -> String {
    name.trim().trim_start_matches('#').to_ascii_lowercase()
}
