//! The harness itself: a lagging index really hides what was just written (full items, keys
//! and keys-only index entries name one item alike), and conflicts really happen.

use aws_sdk_dynamodb::types::AttributeValue;
use local_stack::{dynamodb_local, local_client};
use oauth_core::store::dynamo::schema::GRANT_INDEX;
use oauth_tests::harness::Harness;
use oauth_tests::*;
use std::time::Duration;

async fn by_grant(client: &aws_sdk_dynamodb::Client, table: &str, grant: &str) -> usize {
    let out = client
        .query()
        .table_name(table)
        .index_name(GRANT_INDEX)
        .key_condition_expression("grant_id = :g")
        .expression_attribute_values(":g", AttributeValue::S(grant.into()))
        .send()
        .await
        .unwrap();
    out.items().len()
}

#[tokio::test]
async fn a_lagging_index_hides_what_was_just_written_and_only_for_the_lag() {
    let direct = fresh_dynamo().await;
    let table = direct.tables().tokens.clone();
    let harness = Harness::start(dynamodb_local().endpoint());
    let through = local_client(&harness.endpoint);
    let raw = local_client(&dynamodb_local().endpoint());
    harness.gsi_lag(Duration::from_millis(1500));
    // Written as the store writes a token: a full item with workspace, client and user.
    let item = [
        ("id", "default#digest-1"),
        ("workspace", "default"),
        ("client_id", "c"),
        ("username", "alice"),
        ("grant_id", "g-1"),
        ("kind", "access"),
    ];
    let mut put = through.put_item().table_name(&table);
    for (k, v) in item {
        put = put.item(k, AttributeValue::S(v.into()));
    }
    put.send().await.unwrap();
    assert_eq!(
        by_grant(&raw, &table, "g-1").await,
        1,
        "DynamoDB Local has it"
    );
    assert_eq!(
        by_grant(&through, &table, "g-1").await,
        0,
        "the lagging index does not yet"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(by_grant(&through, &table, "g-1").await, 1, "after the lag");
}
