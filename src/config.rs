//! `exemplar.toml`: project settings, so that `exemplar extract` and `exemplar extract
//! --check` need no arguments in a project that has one. Paths in the file are relative to
//! the file's directory. Unknown keys are errors, reported with their line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Located;

/// The file exemplar looks for in the current directory.
pub const FILE_NAME: &str = "exemplar.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub extract: ExtractConfig,
    #[serde(default)]
    pub report: ReportConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// The known-deviations file (default: `known-deviations.toml` when it exists).
    pub known: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// Doc files and directories to extract from.
    #[serde(default)]
    pub docs: Vec<PathBuf>,
    /// The cases directory.
    pub cases: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] Located),
}

/// Reads `path` if it exists. Relative paths inside are resolved against its directory.
pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ConfigError::Io { path: path.to_path_buf(), source }),
    };
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        ConfigError::Invalid(match e.span() {
            Some(span) => Located::at_span(path, &text, span, message),
            None => Located::file(path, message),
        })
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let resolve = |p: &PathBuf| {
        if p.is_absolute() || base.as_os_str().is_empty() { p.clone() } else { base.join(p) }
    };
    config.extract.docs = config.extract.docs.iter().map(resolve).collect();
    config.extract.cases = config.extract.cases.as_ref().map(resolve);
    config.report.known = config.report.known.as_ref().map(resolve);
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_resolves() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().to_path_buf();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, "[extract]\ndocs = [\"d\"]\ncases = \"c\"\n").unwrap();
        let config = load(&path).unwrap().unwrap();
        assert_eq!(config.extract.docs, [dir.join("d")]);
        assert_eq!(config.extract.cases, Some(dir.join("c")));
        std::fs::write(&path, "[extract]\ndocs = []\ncasse = \"c\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("exemplar.toml:3:1: unknown field `casse`"), "{err}");
        assert!(load(&dir.join("missing.toml")).unwrap().is_none());
    }
}
