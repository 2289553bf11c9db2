//! `template.yaml`, read as the tests need it: the document, and the DynamoDB permissions each
//! function's (or the operator's) policy grants.

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
