//! Workspaces table: one item per setting under the workspace (`name` = `branding`, or
//! `scope#<scope>`), so the pages read a workspace's branding and scope descriptions with one
//! query.

use super::item::*;
use super::DynamoStore;
use crate::protocol::branding::{Branding, Logo, ScopeInfo, WorkspaceConfig};
use crate::store::{StoreError, StoreResult, WorkspaceStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

const BRANDING: &str = "branding";
const SCOPE: &str = "scope#";

fn setting(workspace: &str, name: &str) -> Item {
    key([("workspace", workspace), ("name", name)])
}

#[async_trait]
impl WorkspaceStore for DynamoStore {
    async fn workspace_config(&self, workspace: &str) -> StoreResult<WorkspaceConfig> {
        let items = self
            .workspace_items(&self.tables.workspaces, workspace)
            .await?;
        let mut config = WorkspaceConfig::default();
        for item in &items {
            let Some(name) = opt_s(item, "name") else {
                continue;
            };
            if name == BRANDING {
                let logo = match (opt_s(item, "logo_type"), item.get("logo")) {
                    (Some(_), Some(AttributeValue::B(bytes))) => {
                        // Checked when set; a stored logo that no longer passes is dropped.
                        Logo::from_bytes(bytes.as_ref().to_vec()).ok()
                    }
                    _ => None,
                };
                config.branding = Branding {
                    display_name: opt_s(item, "display_name"),
                    accent: opt_s(item, "accent"),
                    logo,
                    support: opt_s(item, "support"),
                };
            } else if let Some(scope) = name.strip_prefix(SCOPE) {
                // An item that lost its description is skipped, not a failed page.
                if let Some(description) = opt_s(item, "description") {
                    config.scopes.push(ScopeInfo {
                        name: scope.to_owned(),
                        description,
                        sensitive: bool_or_false(item, "sensitive"),
                    });
                }
            }
        }
        Ok(config)
    }

    async fn put_branding(&self, workspace: &str, branding: &Branding) -> StoreResult<()> {
        let mut item = setting(workspace, BRANDING);
        put_opt(
            &mut item,
            "display_name",
            branding.display_name.clone().map(s),
        );
        put_opt(&mut item, "accent", branding.accent.clone().map(s));
        put_opt(&mut item, "support", branding.support.clone().map(s));
        if let Some(logo) = &branding.logo {
            item.insert("logo_type".into(), s(logo.media_type));
            item.insert(
                "logo".into(),
                AttributeValue::B(Blob::new(logo.bytes.clone())),
            );
        }
        self.put(&self.tables.workspaces, item, None).await
    }

    async fn put_scope(&self, workspace: &str, scope: &ScopeInfo) -> StoreResult<()> {
        let mut item = setting(workspace, &format!("{SCOPE}{}", scope.name));
        item.insert("description".into(), s(&scope.description));
        item.insert("sensitive".into(), b(scope.sensitive));
        self.put(&self.tables.workspaces, item, None).await
    }

    async fn delete_scope(&self, workspace: &str, name: &str) -> StoreResult<bool> {
        let key = setting(workspace, &format!("{SCOPE}{name}"));
        match self
            .delete(&self.tables.workspaces, key, Some("workspace"))
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
