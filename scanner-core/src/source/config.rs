//! The image config (OCI image spec `config.json`, Docker's image JSON): only the fields tarsier
//! uses, every one optional so that odd but harmless configs still load.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImageConfig {
    pub architecture: Option<String>,
    pub os: Option<String>,
    pub variant: Option<String>,
    pub created: Option<String>,
    pub history: Vec<History>,
    pub rootfs: Option<RootFs>,
    /// What a container runs with (`config` in the OCI spec).
    pub config: Option<Runtime>,
}

/// The runtime part of a config.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Runtime {
    #[serde(rename = "User")]
    pub user: Option<String>,
    #[serde(rename = "Env")]
    pub env: Option<Vec<String>>,
    #[serde(rename = "ExposedPorts")]
    pub exposed_ports: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "Entrypoint")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "Cmd")]
    pub cmd: Option<Vec<String>>,
    #[serde(rename = "WorkingDir")]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels")]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct History {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    pub empty_layer: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RootFs {
    pub diff_ids: Vec<String>,
}
