//! `template.yaml`, read as the tests need it: the document, and the DynamoDB permissions each
//! function's (or the operator's) policy grants.

use oauth_core::store::dynamo::schema::TableNames;
use std::collections::BTreeSet;
use yaml_rust2::{Yaml, YamlLoader};

/// The template; CloudFormation's short tags (`!Ref X`, `!GetAtt X.Arn`) load as their plain
/// values.
pub fn template() -> Yaml {
    let text =
        std::fs::read_to_string(crate::repo_root().join("template.yaml")).expect("template.yaml");
    YamlLoader::load_from_str(&text)
        .expect("valid YAML")
        .remove(0)
}

fn strings(node: &Yaml) -> Vec<String> {
    match node {
        Yaml::Array(v) => v
            .iter()
            .filter_map(Yaml::as_str)
            .map(str::to_owned)
            .collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

/// `ClientsTable.Arn` or `${TokensTable.Arn}/index/by-grant` as `ClientsTable` and
/// `TokensTable/index/by-grant`.
fn resource_name(raw: &str) -> String {
    raw.replace("${", "").replace('}', "").replace(".Arn", "")
}

/// The (resource, action) pairs of a list of policy statements, DynamoDB's only (what the
/// strict harness can see the code use; KMS grants are checked on their own).
fn permissions(statements: &Yaml) -> BTreeSet<(String, String)> {
    all_permissions(statements)
        .into_iter()
        .filter(|(_, action)| action.starts_with("dynamodb:"))
        .collect()
}

/// Every (resource, action) pair of a list of policy statements.
pub fn all_permissions(statements: &Yaml) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for s in statements.as_vec().expect("statements") {
        for resource in strings(&s["Resource"]) {
            for action in strings(&s["Action"]) {
                out.insert((resource_name(&resource), action));
            }
        }
    }
    out
}

/// What a function's inline policy allows on DynamoDB.
pub fn function_permissions(logical_id: &str) -> BTreeSet<(String, String)> {
    let t = template();
    let policies = t["Resources"][logical_id]["Properties"]["Policies"]
        .as_vec()
        .unwrap_or_else(|| panic!("{logical_id} has no policies"))
        .clone();
    policies
        .iter()
        .flat_map(|p| permissions(&p["Statement"]))
        .collect()
}

/// What a managed policy (the operator's) allows on DynamoDB.
pub fn managed_policy_permissions(logical_id: &str) -> BTreeSet<(String, String)> {
    let t = template();
    let doc = &t["Resources"][logical_id]["Properties"]["PolicyDocument"];
    permissions(&doc["Statement"])
}

pub type Permissions = BTreeSet<(String, String)>;

/// The harness's record with table names replaced by their logical ids in the template.
pub fn logical_permissions(recorded: Permissions, tables: &TableNames) -> Permissions {
    recorded
        .into_iter()
        .map(|(resource, action)| {
            let (table, index) = resource
                .split_once("/index/")
                .map_or((resource.as_str(), None), |(t, i)| (t, Some(i)));
            let id = tables
                .pairs()
                .into_iter()
                .find(|(_, name)| *name == table)
                .map_or_else(
                    || format!("unknown table {table}"),
                    |(def, _)| def.logical_id.to_owned(),
                );
            let id = index.map_or(id.clone(), |i| format!("{id}/index/{i}"));
            (id, action)
        })
        .collect()
}

pub fn assert_same_permissions(function: &str, used: &Permissions, granted: &Permissions) {
    let missing: Vec<_> = used.difference(granted).collect();
    let unused: Vec<_> = granted.difference(used).collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "{function}: used but not granted {missing:?}; granted but never used {unused:?}"
    );
}
