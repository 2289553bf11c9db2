//! Workspace settings in memory, with the DynamoDB adapter's semantics.

use super::MemoryStore;
use crate::protocol::branding::{Branding, ScopeInfo, WorkspaceConfig};
use crate::store::{StoreResult, WorkspaceStore};
use async_trait::async_trait;

#[async_trait]
impl WorkspaceStore for MemoryStore {
    async fn workspace_config(&self, workspace: &str) -> StoreResult<WorkspaceConfig> {
        let data = self.data()?;
        let mut config = data.workspaces.get(workspace).cloned().unwrap_or_default();
        // As DynamoDB's query returns them: by sort key.
        config.scopes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(config)
    }

    async fn put_branding(&self, workspace: &str, branding: &Branding) -> StoreResult<()> {
        let mut data = self.data()?;
        data.workspaces
            .entry(workspace.to_owned())
            .or_default()
            .branding = branding.clone();
        Ok(())
    }

    async fn put_scope(&self, workspace: &str, scope: &ScopeInfo) -> StoreResult<()> {
        let mut data = self.data()?;
        let scopes = &mut data
            .workspaces
            .entry(workspace.to_owned())
            .or_default()
            .scopes;
        scopes.retain(|s| s.name != scope.name);
        scopes.push(scope.clone());
        Ok(())
    }

    async fn delete_scope(&self, workspace: &str, name: &str) -> StoreResult<bool> {
        let mut data = self.data()?;
        let Some(config) = data.workspaces.get_mut(workspace) else {
            return Ok(false);
        };
        let before = config.scopes.len();
        config.scopes.retain(|s| s.name != name);
        Ok(config.scopes.len() < before)
    }
}
